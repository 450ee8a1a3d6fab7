"""Studies built from replications: experiments, paired comparisons, capacity, precision, warm-up,
targets, calibration sources, the seed claims and national runs. No terminal or file output here.
"""
