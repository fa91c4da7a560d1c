"""From upload to the first synthetic preview, against the fit itself, in one run.

For each table (the bundled ones and a 10,000-row taxi-like table): the app (Streamlit's AppTest,
real worker processes) is opened fresh, the file uploaded, the Generate page opened and Generate
clicked with the default settings; the clock stops when the preview's rows are in the session.
The baseline is ``synthesize`` on the same table and settings in this process (the fit and
sampling alone). Printed: both times and their ratio (the goal: at most 2x), and how long the
job sat at 100% ("Done") before its rows arrived.

    python benchmarks/bench_first_preview.py
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from synth_core import read_table  # noqa: E402
from synth_core.generate.spec import GenerationSpec, RulesSetting  # noqa: E402
from synth_core.generate.synthesize import synthesize  # noqa: E402
from tests.helpers import SAMPLES, taxi_csv  # noqa: E402

TIMEOUT = 600


def app_seconds(name: str, data: bytes) -> tuple[float, float]:
    """Seconds from the upload to the preview's rows, and seconds spent at 100%."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    time.sleep(10)  # the app has just started: its worker server warms up in the background
    started = time.perf_counter()
    at.radio(key="source_origin").set_value("Upload a CSV").run()
    at.file_uploader(key="upload").set_value((name, data, "text/csv")).run()
    at.switch_page("app_pages/generate.py").run()
    at.button(key="generate").click().run()
    finishing: float | None = None
    while "generation_job" in at.session_state:
        texts = [p.proto.text for p in at.get("progress")]
        if finishing is None and any(t.startswith("Finishing") for t in texts):
            finishing = time.perf_counter()
        time.sleep(0.1)
        at.run()
    done = time.perf_counter()
    assert "result" in at.session_state, [e.value for e in at.error]
    return done - started, (done - finishing) if finishing else 0.0


def main() -> None:
    warnings.filterwarnings("ignore")
    tables = {
        "insurance.csv": (SAMPLES / "insurance.csv").read_bytes(),
        "penguins.csv": (SAMPLES / "penguins.csv").read_bytes(),
        "seattle-weather.csv": (SAMPLES / "seattle-weather.csv").read_bytes(),
        "taxi-like 10k.csv": taxi_csv(10_000),
    }
    print(f"{'table':22} {'fit+sample':>11} {'upload->preview':>16} {'ratio':>6} {'at 100%':>8}")
    for name, data in tables.items():
        table = read_table(data)
        rows = min(len(table.df), 10_000)
        # What the page does by default: rules found on the training rows, ticked.
        spec = GenerationSpec(rows=rows, rules=RulesSetting.AUTO)
        started = time.perf_counter()
        synthesize(table, spec)
        baseline = time.perf_counter() - started
        seconds, finishing = app_seconds(name, data)
        print(
            f"{name:22} {baseline:10.1f}s {seconds:15.1f}s {seconds / baseline:5.1f}x "
            f"{finishing:7.1f}s"
        )


if __name__ == "__main__":
    main()
