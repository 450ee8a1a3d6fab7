"""Monte Carlo sensitivity sweeps: SALib designs run locally or on Dask into a resumable store.

``spec`` (the sweep file) -> ``designs`` (points) -> ``evaluate`` (one model run per point) ->
``execute``/``runner`` (where it runs, what is stored) -> ``store`` (Parquet) -> ``analyse``.
"""
