"""Reading uploaded tables and writing synthetic ones."""
