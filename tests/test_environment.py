"""The places that name the dependencies agree (pyproject.toml, constraints.txt, constraints-min.txt,
environment.yml), and pytest turns our own deprecations into errors but not third-party ones."""

import re
import tomllib
import warnings

import pytest

CONDA_TO_PIP = {"pytorch": "torch"}


def _requirement(spec: str) -> tuple[str, str]:
    name, bound = re.match(r"^([A-Za-z0-9_.-]+)\s*(.*)$", spec.strip()).groups()
    return name.lower(), bound.split("=cpu")[0].strip()


@pytest.fixture
def pyproject(root):
    return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]


# The web book's extra is pinned in constraints-book.txt and stays out of the learners' conda environment.
BOOK_EXTRA = "book"


@pytest.fixture
def declared(pyproject):
    specs = list(pyproject["dependencies"])
    for name, extra in pyproject["optional-dependencies"].items():
        if name != BOOK_EXTRA:
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
    assert "pytorch>=2.10=cpu*" in text
    assert "-e ." in text and "conda-forge" in text


def _pins(path):
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.strip().lower()] = version.strip()
    return pins


def test_constraints_pin_every_declared_package_exactly(root, declared):
    pins = _pins(root / "constraints.txt")
    assert set(declared) <= set(pins), f"not pinned: {sorted(set(declared) - set(pins))}"
    assert pins["torch"] == "2.13.0"
    for name in ("numpy", "matplotlib", "scikit-learn", "nbval", "pytest", "ipykernel", "jupyterlab"):
        assert re.fullmatch(r"\d+(\.\d+)+", pins[name]), f"{name} is not pinned exactly: {pins[name]}"


def test_book_constraints_pin_every_package_of_the_book_extra_exactly(root, pyproject):
    book = dict(_requirement(s) for s in pyproject["optional-dependencies"][BOOK_EXTRA])
    pins = _pins(root / "constraints-book.txt")
    assert set(book) <= set(pins), f"not pinned: {sorted(set(book) - set(pins))}"
    assert not set(pins) & set(_pins(root / "constraints.txt")), "a package is pinned in both files"
    for name in book:
        assert re.fullmatch(r"\d+(\.\d+)+(\.post\d+)?", pins[name]), f"{name} is not pinned exactly: {pins[name]}"


def test_runtime_dependencies_are_ranges_not_pins(pyproject):
    for spec in pyproject["dependencies"]:
        assert ">=" in spec and "==" not in spec, f"{spec!r} would make Colab reinstall it"


# Pins above their floor (none: torch too is tested at its floor, 2.10.0; the reason is in pyproject.toml).
ABOVE_FLOOR: dict[str, str] = {}


def test_min_constraints_pin_every_tested_package_at_its_floor(root, pyproject):
    # What `make test-min` installs: the runtime dependencies and the test extra (not the lab extra).
    specs = pyproject["dependencies"] + pyproject["optional-dependencies"]["test"]
    floors = dict(_requirement(s) for s in specs)
    assert all(re.fullmatch(r">=\d+(\.\d+)*", bound) for bound in floors.values()), floors
    floors = {name: bound.removeprefix(">=") for name, bound in floors.items()}
    pins = _pins(root / "constraints-min.txt")
    assert set(pins) == set(floors), f"constraints-min.txt and pyproject.toml differ: {sorted(set(pins) ^ set(floors))}"
    for name, version in ABOVE_FLOOR.items():
        assert pins.pop(name) == version
        floors.pop(name)
    for name, floor in floors.items():
        # "1.26" is the floor 1.26.0: compare release numbers padded with zeros.
        pad = max(len(floor.split(".")), len(pins[name].split(".")))
        as_tuple = [tuple(map(int, v.split("."))) + (0,) * (pad - len(v.split("."))) for v in (floor, pins[name])]
        assert as_tuple[0] == as_tuple[1], f"{name}: floor {floor} but constraints-min.txt pins {pins[name]}"


# Colab's runtime as constraints-colab.txt records it (its source and date are in the file).
COLAB = {"torch": "2.11.0", "numpy": "2.1.3", "matplotlib": "3.10.0", "scikit-learn": "1.6.1",
         "ipykernel": "6.17.1", "ipython": "7.34.0"}


def _release(version):
    return tuple(int(part) for part in version.split("."))


def test_colab_constraints_pin_colabs_versions_and_they_meet_every_runtime_floor(root, pyproject):
    text = (root / "constraints-colab.txt").read_text(encoding="utf-8")
    pins = _pins(root / "constraints-colab.txt")
    assert {name: pins[name] for name in COLAB} == COLAB
    assert "Source:" in text and "2026" in text, "the file says where and when the versions were read"
    for spec in pyproject["dependencies"]:  # a floor raised above Colab's version would break Colab
        name, bound = _requirement(spec)
        assert _release(pins[name]) >= _release(bound.removeprefix(">=")), f"{name} {bound}: Colab has {pins[name]}"
    for name in ("pytest", "pytest-xdist", "nbval", "nbclient", "nbconvert", "nbformat", "babel", "scipy"):
        assert re.fullmatch(r"\d+(\.\d+)+", pins[name]), f"{name} is not pinned exactly in constraints-colab.txt"


def _warn_from(module: str, category: type[Warning]) -> None:
    """Raise ``category`` the way code in ``module`` would: warnings.warn called in that module."""
    namespace = {"__name__": module}
    exec(compile("import warnings\ndef f(c):\n    warnings.warn('old API', c)\n", f"<{module}>", "exec"), namespace)
    namespace["f"](category)


@pytest.mark.parametrize("module", ["chapter5_utils.data", "test_environment", "conftest"])
@pytest.mark.parametrize("category", [DeprecationWarning, PendingDeprecationWarning])
def test_a_deprecation_in_our_own_code_fails_the_tests(module, category):
    with pytest.raises(category, match="old API"):
        _warn_from(module, category)


@pytest.mark.parametrize("module", ["matplotlib._fontconfig_pattern", "sklearn.utils"])
def test_a_deprecation_inside_a_third_party_package_is_shown_not_raised(module):
    with warnings.catch_warnings(record=True) as caught:  # keeps the configured filters, records instead of printing
        _warn_from(module, DeprecationWarning)
    assert [str(w.message) for w in caught] == ["old API"]


@pytest.mark.parametrize("category", [UserWarning, RuntimeWarning, FutureWarning])
def test_other_warnings_fail_the_tests_wherever_they_come_from(category):
    with pytest.raises(category, match="old API"):
        _warn_from("matplotlib.axes", category)
