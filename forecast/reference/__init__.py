"""Reference-class transition hazards for the four-state process, fitted from UCDP data and backtested.

Modules, one job each: ``data`` (the two UCDP files -> episodes), ``classes`` (named reference
classes), ``hazards`` (events over exposure, Gamma posteriors, age bands), ``fit`` (a question's
hazard table and its no-evidence forecast), ``backtest`` (rolling-origin scores), ``spec`` (the
question file's ``reference:`` section). Import from the modules: this package file stays empty so
that validating a question does not load pandas and matplotlib.
"""
