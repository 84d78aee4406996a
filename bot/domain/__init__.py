"""Pure domain rules: no botbuilder, no SQLAlchemy; the clock and policies come in as arguments."""
