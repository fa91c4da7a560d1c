"""The tables and their links as a diagram (Graphviz DOT text: tables as boxes with their key,
links as arrows from parent to child labelled with the child's column)."""

from __future__ import annotations

from synth_core.data.database import Database, Links


def _quoted(text: str) -> str:
    """A DOT string: quotes and backslashes escaped, line breaks as DOT's own."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def relations_dot(database: Database, links: Links) -> str:
    """DOT for ``st.graphviz_chart``: a box per table (name, rows, key), an arrow per link
    (dashed when some child rows point at no parent)."""
    lines = [
        "digraph tables {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fillcolor="#eef3fb", fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for name, table in database.tables.items():
        key = links.keys.get(name)
        label = f"{name}\n{len(table.df):,} rows\nkey: {key or '(none)'}"
        lines.append(f"  {_quoted(name)} [label={_quoted(label)}];")
    for relation in links.relations:
        style = ", style=dashed" if relation.orphans else ""
        label = relation.child_key + (
            f" ({relation.orphans:,} orphans)" if relation.orphans else ""
        )
        lines.append(
            f"  {_quoted(relation.parent)} -> {_quoted(relation.child)} "
            f"[label={_quoted(label)}{style}];"
        )
    lines.append("}")
    return "\n".join(lines)
