"""scripts/check-walls holds on the tree and catches each kind of breach planted in a copy of it."""
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHECK = ROOT / "scripts" / "check-walls"


def run(tree):
    return subprocess.run([sys.executable, str(CHECK), str(tree)], capture_output=True, text=True)


@pytest.fixture
def tree(tmp_path):
    shutil.copytree(ROOT / "Sources", tmp_path / "Sources", ignore=shutil.ignore_patterns("*.yaml", "Resources"))
    return tmp_path


def plant(tree, relative, text, at_top=False):
    path = tree / "Sources" / relative
    body = path.read_text(encoding="utf-8")
    path.write_text(text + body if at_top else body + text, encoding="utf-8")


def test_the_tree_keeps_every_wall():
    result = run(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "relative, text, at_top, rule",
    [
        ("AutofunnelEngine/Services/DealService.swift", "import Hummingbird\n", True, "the engine may not import Hummingbird"),
        ("AutofunnelEngine/Automation/TimerBell.swift", "import OpenAPIRuntime\n", True, "the engine may not import OpenAPIRuntime"),
        ("AutofunnelEngine/Delivery/Webhooks.swift", "import Mustache\n", True, "the engine may not import Mustache"),
        ("AutofunnelEngine/AppServices.swift", "import AutofunnelServer\n", True, "AutofunnelEngine may not import AutofunnelServer"),
        ("AutofunnelCore/Money/Money.swift", "import AutofunnelStore\n", True, "AutofunnelCore may not import AutofunnelStore"),
        ("AutofunnelServer/API/APIHandler.swift", "import SQLKit\n", True, "only the Store may use SQL (SQLKit)"),
        (
            "AutofunnelEngine/Services/DealService.swift",
            '\nlet sneaky = "UPDATE deals SET stage = \'won\'"\n',
            False,
            "only the Store may write SQL",
        ),
        (
            "AutofunnelServer/Compat/AmoCRM/AmoCRMCatalog.swift",
            "\nlet borrowed = Bitrix24Catalog.self\n",
            False,
            "the AmoCRM dialect uses Bitrix24Catalog of the Bitrix24 dialect",
        ),
        (
            "AutofunnelServer/HTTP/AppResponder.swift",
            "\nlet known = AmoCRMEndpoint.self\n",
            False,
            "the HTTP layer names AmoCRMEndpoint of the AmoCRM dialect",
        ),
    ],
)
def test_a_planted_breach_fails_the_check(tree, relative, text, at_top, rule):
    assert (tree / "Sources" / relative).exists(), relative
    assert run(tree).returncode == 0
    plant(tree, relative, text, at_top)
    result = run(tree)
    assert result.returncode == 1
    assert rule in result.stdout, result.stdout


def test_a_comment_is_no_breach(tree):
    plant(tree, "AutofunnelEngine/Services/DealService.swift", "\n// SELECT * FROM deals; see Bitrix24Catalog\n")
    assert run(tree).returncode == 0
