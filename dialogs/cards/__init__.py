"""Card builders: typed view -> Adaptive Card dict. They format; they never decide."""
