"""The benchmark's report: one Markdown table of medians, ratios and query
counts."""


def _fmt(value):
    if isinstance(value, float):
        return f"{value:.3f}"
    return "-" if value is None else str(value)


def print_table(rows, rounds):
    print(
        "| benchmark | compared with | ours (median s) | theirs (median s) "
        "| ratio | our queries | their queries | target |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, other, ours, theirs, q_ours, q_theirs, target in rows:
        ratio = f"{ours / theirs:.2f}" if ours and theirs else "-"
        cells = [name, other, _fmt(ours), _fmt(theirs), ratio, _fmt(q_ours)]
        cells += [_fmt(q_theirs), target]
        print("| " + " | ".join(cells) + " |")
    print(
        f"\n{rounds} interleaved rounds per contender; one client; "
        "same server and database; queries from Odoo's access log.\n"
    )
