#include "FilePane.h"

#include "FileListView.h"

#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

namespace QuietWire::Gui {

FilePane::FilePane(FileListView* view, QWidget* parent)
    : QObject(parent)
    , m_title(new QLabel(parent))
    , m_pathEdit(new QLineEdit(parent))
    , m_view(view)
    , m_widget(new QWidget(parent))
{
    auto* layout = new QVBoxLayout(m_widget);
    layout->setContentsMargins(0, 0, 0, 0);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    layout->addWidget(m_title);
    layout->addWidget(m_pathEdit);
    layout->addWidget(m_view, 1);
    connect(m_view, &FileListView::focused, this, &FilePane::focused);
}

FilePane::~FilePane() = default;

void FilePane::addControlRow(QLayout* row)
{
    static_cast<QVBoxLayout*>(m_widget->layout())->insertLayout(1, row);
}

} // namespace QuietWire::Gui
