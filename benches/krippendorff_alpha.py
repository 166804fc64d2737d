"""Nominal Krippendorff's alpha of a `unit,coder,value` CSV with the `krippendorff` package.

The reference side of the `normcode agree --data` benchmark (see BENCHMARKS.md): reads the CSV
with pandas, pivots it to a coders x units matrix (empty values are missing), prints alpha.

    python3 benches/krippendorff_alpha.py target/bench-data/reliability/codings-1000000.csv
"""

import sys

import krippendorff
import numpy as np
import pandas as pd


def main(path: str) -> None:
    df = pd.read_csv(path, dtype={"unit": str, "coder": str, "value": float})
    matrix = df.pivot(index="coder", columns="unit", values="value")
    alpha = krippendorff.alpha(
        reliability_data=matrix.to_numpy(dtype=float),
        level_of_measurement="nominal",
    )
    print(f"{alpha:.15f}")


if __name__ == "__main__":
    main(sys.argv[1])
