"""The work done after a fit: what a run's number rests on, what to watch, what if, and how it scored.

``assumptions`` builds the alternatives a run is tested against and ``sensitivity`` answers them;
``signposts`` is one more event of each kind and the pathway across 50%; ``blocks`` runs both for a
fit and shapes them for ``summary.json``; ``whatif`` refits with evidence added or removed; and
``scorecard`` scores every recorded run once the question resolves.
"""
