"""A worker's first job pays no import on its path (issue 18): the parent's warm-up imports
what the job's path imports lazily (torch._dynamo alone took 2 to 4 s). Module lists, not
timings: deterministic. (Each child's warm-up run, for first calls, is measured by
bench/first_job_bench.py.)"""

import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

# A warm-up step of the worker, then one lab job's path: train, serialize the model.
# Printed: the modules that path imported for the first time.
_JOB_AFTER_WARM_UP = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dlplatform.settings")
import django
django.setup()
from training_worker import tasks
{warm_up}
from engine import parse_config
from engine.training import train
from jobs.artifacts import serialize
CONFIGS = {configs}
new = {{}}
for name, config in CONFIGS.items():
    before = set(sys.modules)
    result = train(parse_config(config), lambda event: None)
    serialize(config=config, model=result.model)
    new[name] = sorted(set(sys.modules) - before)
print(json.dumps(new))
"""


def _modules_imported_by_jobs(warm_up: str, configs: dict) -> dict:
    code = _JOB_AFTER_WARM_UP.format(warm_up=warm_up, configs=repr(configs))
    output = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def test_after_the_parents_warm_up_a_job_imports_no_module(moons_config):
    digits_sgd = {
        "model": {"kind": "mlp", "hidden": [16], "activation": "tanh"},
        "data": {"name": "digits", "n_samples": 300, "noise": 0.0, "val_fraction": 0.2,
                 "seed": 0},
        "optim": {"name": "sgd", "lr": 0.01, "batch_size": 32, "epochs": 1},
    }
    moons_adam = {**moons_config, "optim": {**moons_config["optim"], "epochs": 2}}
    # The parent's warm-up, before it forks (worker_init); its children inherit the modules.
    new = _modules_imported_by_jobs("tasks._warm_up()",
                                    {"moons_adam": moons_adam, "digits_sgd": digits_sgd})
    assert new == {"moons_adam": [], "digits_sgd": []}
