#include "ToolBarAction.h"

#include <QAction>
#include <QToolBar>

namespace QuietWire::Gui {

QAction* ToolBarAction::add(QToolBar* toolBar, const QString& name, const QString& icon)
{
    auto* action = toolBar->addAction(QIcon(QStringLiteral(":/icons/%1.png").arg(icon)), QString());
    action->setObjectName(name);
    if (QWidget* button = toolBar->widgetForAction(action)) {
        button->setObjectName(name + QStringLiteral("Button"));
    }
    return action;
}

} // namespace QuietWire::Gui
