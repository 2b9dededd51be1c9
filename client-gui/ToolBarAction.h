#pragma once

#include <QString>

class QAction;
class QToolBar;

namespace QuietWire::Gui {

/// Toolbar actions the way the GUI tests find them: the action is called name and its button
/// name + "Button"; the icon is :/icons/<icon>.png. The text comes later, from retranslateUi().
class ToolBarAction
{
public:
    static QAction* add(QToolBar* toolBar, const QString& name, const QString& icon);
};

} // namespace QuietWire::Gui
