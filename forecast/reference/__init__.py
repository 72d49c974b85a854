"""Reference-class transition hazards for the four-state process, fitted from UCDP data and backtested."""
