"""The floor of a page render: the app frame (sidebar filters, header) and nothing else."""
from ui.filters import current_scope

current_scope()
