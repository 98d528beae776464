"""Which files the wheel carries and where (the project's metadata is in pyproject.toml).

The checkout keeps its top-level layout; the wheel carries it in two packages:

    rnn_core/                      -> rnn_core            the engine
    assets/ (all but images/)      -> rnn_core/assets     package data, read with importlib.resources
    rnn_playground/                -> rnn_playground      the rnn-playground launcher, the notebook figures
    app.py, pages/, ui/ (with ui/locales),
    .streamlit/*.toml
                                   -> rnn_playground/app  the app; the launcher runs Streamlit on its app.py

assets/, ui/ and pages/ are taken by pattern, so a file or a page folder added there ships without a change
here; tests/test_package.py builds the wheel and checks what it holds.
"""
from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

APP = "rnn_playground.app"
ui_packages = find_packages(include=["ui", "ui.*"])


class BuildPy(build_py):
    """The app's package is the checkout's top level: of the modules there it takes app.py alone (not this file)."""

    def find_package_modules(self, package, package_dir):
        modules = super().find_package_modules(package, package_dir)
        return [m for m in modules if m[1] == "app"] if package == APP else modules


setup(
    packages=["rnn_core", "rnn_core.assets", "rnn_playground", APP, f"{APP}.pages",
              *(f"{APP}.{name}" for name in ui_packages)],
    package_dir={"rnn_core.assets": "assets", APP: "."},      # the app's package is the checkout's top level
    package_data={"rnn_core.assets": ["**/*"], APP: [".streamlit/*.toml"],
                  f"{APP}.ui": ["locales/messages.pot", "locales/*/LC_MESSAGES/*.po", "locales/*/LC_MESSAGES/*.mo"]},
    exclude_package_data={"rnn_core.assets": ["images/*", "**/__pycache__/*"]},
    cmdclass={"build_py": BuildPy},
    include_package_data=False,          # only what is named above (not the sdist's README, tests, bench ...)
)
