# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The shape of the module (readme/DEVELOP.md): one service per concern,
no two files calling each other, the run called by its callers only.

The graph is read from the Python of models/, wizards/ and controllers/
with ``ast``, simply: file A calls file B when A names (calls or passes)
an attribute ``x._method`` where ``_method`` is a method defined in B, be
it ``self._method``, ``record._method`` or ``self.env["model"]._method``.
Models are not resolved: a method is known by its name alone, so names
defined in several files of the module (overrides such as ``create``) and
Odoo's own names (any method of a model class not of this module) are left
out. Dynamic calls (``getattr(self, f"_run_{channel}")``) and calls from
XML templates are not seen."""

import ast
from pathlib import Path

from odoo.tests import TransactionCase, tagged

MODULE_DIR = Path(__file__).resolve().parent.parent
FOLDERS = ("models", "wizards", "controllers")
# The dunning service: select, group, dispatch, record, and its cron.
ENGINE = "models/account_dunning_run.py"
# The only files that may call the service, and why.
ENGINE_CALLERS = {
    "models/account_move_dunning_actions.py": "the invoice buttons (send now, skip to a "
    "step) and the reminder's preview",
    "wizards/account_dunning_send.py": "the Send Reminders wizard",
    "wizards/account_dunning_send_line.py": "the Send Reminders wizard's lines",
    "models/account_dunning_event_approval.py": "the approval of the steps waiting for a person",
    "models/account_dunning_event_reply.py": "the letter that follows a bounced reminder",
    "models/account_dunning_run_status.py": "whether today's run finished, read from its cron",
}


def read_sources():
    """{path from the module: Python source} of the files the graph covers."""
    return {
        path.relative_to(MODULE_DIR).as_posix(): path.read_text()
        for folder in FOLDERS
        for path in sorted((MODULE_DIR / folder).glob("*.py"))
    }


def call_graph(sources, ignored=frozenset()):
    """{file: {file it calls: {methods}}} of ``sources``; a method name
    defined in several files or in ``ignored`` is left out."""
    trees = {path: ast.parse(source, path) for path, source in sources.items()}
    defined = {}
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        defined.setdefault(item.name, set()).add(path)
    owner = {
        name: paths.pop()
        for name, paths in defined.items()
        if len(paths) == 1 and name not in ignored
    }
    graph = {}
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and owner.get(node.attr, path) != path:
                graph.setdefault(path, {}).setdefault(owner[node.attr], set()).add(node.attr)
    return graph


def two_way_pairs(graph):
    """{frozenset((A, B)): (methods A calls in B, methods B calls in A)}."""
    return {
        frozenset((a, b)): (methods, graph[b][a])
        for a, callees in graph.items()
        for b, methods in callees.items()
        if a in graph.get(b, {})
    }


def engine_callers(graph, engine=ENGINE):
    """{file: methods of ``engine`` it calls}."""
    return {path: callees[engine] for path, callees in graph.items() if engine in callees}


@tagged("post_install", "-at_install")
class TestArchitecture(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.odoo_names = frozenset(
            name
            for model in cls.env.registry.values()
            for klass in type(model).__mro__
            if not klass.__module__.startswith("odoo.addons.account_dunning.")
            for name in vars(klass)
        )
        cls.graph = call_graph(read_sources(), cls.odoo_names)

    def test_no_two_files_call_each_other(self):
        pairs = {
            " <-> ".join(sorted(pair)): calls for pair, calls in two_way_pairs(self.graph).items()
        }
        self.assertFalse(pairs, "files calling each other: move the methods to the concern's owner")

    def test_only_its_callers_call_the_run(self):
        others = {
            path: methods
            for path, methods in engine_callers(self.graph).items()
            if path not in ENGINE_CALLERS
        }
        self.assertFalse(others, f"files calling {ENGINE} that are not among ENGINE_CALLERS")

    def test_the_graph_sees_a_new_two_way_pair(self):
        graph = call_graph(
            {
                "models/a.py": "class A:\n"
                "    def _a(self):\n"
                '        return self.env["b"]._b()\n',
                "models/b.py": "class B:\n"
                "    def _b(self, records):\n"
                "        return records._a\n"
                "    def create(self):\n"
                "        return self._c()\n",
                "models/c.py": "class C:\n"
                "    def _c(self):\n"
                "        return self.create()\n"
                "    def create(self):\n"
                "        return self.write()\n",
            },
            ignored=frozenset({"write"}),
        )
        # create is defined twice: c.py calling it calls nobody.
        self.assertEqual(set(two_way_pairs(graph)), {frozenset(("models/a.py", "models/b.py"))})
        self.assertEqual(graph["models/b.py"], {"models/a.py": {"_a"}, "models/c.py": {"_c"}})
        self.assertNotIn("models/c.py", graph)

    def test_the_graph_sees_a_caller_of_the_run(self):
        graph = call_graph(
            {
                ENGINE: "class Run:\n    def _run_moves(self, moves):\n        pass\n",
                "models/x.py": "class X:\n"
                "    def _x(self, moves):\n"
                '        self.env["account.dunning.run"]._run_moves(moves)\n',
            }
        )
        self.assertEqual(engine_callers(graph), {"models/x.py": {"_run_moves"}})
