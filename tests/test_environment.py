"""The three places that name the dependencies agree: pyproject.toml, constraints.txt, environment.yml."""

import re
import tomllib

import pytest

CONDA_TO_PIP = {"pytorch": "torch"}


def _requirement(spec: str) -> tuple[str, str]:
    name, bound = re.match(r"^([A-Za-z0-9_.-]+)\s*(.*)$", spec.strip()).groups()
    return name.lower(), bound.split("=cpu")[0].strip()


@pytest.fixture
def pyproject(root):
    return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]


@pytest.fixture
def declared(pyproject):
    specs = list(pyproject["dependencies"])
    for extra in pyproject["optional-dependencies"].values():
        specs += extra
    return dict(_requirement(s) for s in specs)


def _conda_packages(root):
    packages = {}
    text = (root / "environment.yml").read_text(encoding="utf-8")
    for line in text.split("dependencies:", 1)[1].splitlines():
        match = re.match(r"^  - ([A-Za-z][^\s#:]*)\s*$", line)
        if match and match.group(1) != "pip" and not match.group(1).startswith("python"):
            name, bound = _requirement(match.group(1))
            packages[CONDA_TO_PIP.get(name, name)] = bound
    return packages


def test_environment_yml_names_the_same_packages_and_bounds_as_pyproject(root, declared):
    assert _conda_packages(root) == declared


def test_environment_yml_installs_the_helpers_and_the_cpu_build(root):
    text = (root / "environment.yml").read_text(encoding="utf-8")
    assert "pytorch>=2.2=cpu*" in text
    assert "-e ." in text and "conda-forge" in text


def test_constraints_pin_every_declared_package_exactly(root, declared):
    pins = {}
    for line in (root / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower()] = version
    assert set(declared) <= set(pins), f"not pinned: {sorted(set(declared) - set(pins))}"
    assert pins["torch"] == "2.13.0"
    for name in ("numpy", "matplotlib", "scikit-learn", "nbval", "pytest", "ipykernel", "jupyterlab"):
        assert re.fullmatch(r"\d+(\.\d+)+", pins[name]), f"{name} is not pinned exactly: {pins[name]}"


def test_runtime_dependencies_are_ranges_not_pins(pyproject):
    for spec in pyproject["dependencies"]:
        assert ">=" in spec and "==" not in spec, f"{spec!r} would make Colab reinstall it"
