"""Copies the top-level rule packs and templates into the wheel as scc/_packs/.

controls/, stig/ and templates/ are data a compliance reviewer edits without touching Python,
so they live at the repository root; a wheel still has to carry them.
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

PACK_DIRS = ("controls", "stig", "frameworks", "templates")


class BuildPyWithPacks(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the packs from the checkout
        root = Path(__file__).resolve().parent
        for name in PACK_DIRS:
            shutil.copytree(root / name, Path(self.build_lib) / "scc" / "_packs" / name, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildPyWithPacks})
