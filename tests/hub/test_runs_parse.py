from dshub.runs import parse_blocks

RUN = '[[DOTSCIENCE-RUN:{id}]]{{\n    "summary": {{"acc": "0.{n}"}},\n    "version": "1"\n}}[[/DOTSCIENCE-RUN:{id}]]'


def test_every_complete_block_is_found_between_other_output():
    text = "\n".join(["epoch 1", RUN.format(id="a-1", n=1), "more output", "x" + RUN.format(id="b-2", n=2) + "y"])
    runs, problems = parse_blocks(text)
    assert [(i, m["summary"]["acc"]) for i, m in runs] == [("a-1", "0.1"), ("b-2", "0.2")]
    assert problems == []


def test_truncated_and_malformed_blocks_are_skipped_with_reasons():
    text = "\n".join([RUN.format(id="ok", n=1), "[[DOTSCIENCE-RUN:bad]]{not json[[/DOTSCIENCE-RUN:bad]]",
                      '[[DOTSCIENCE-RUN:cut]]{\n  "summary": {'])
    runs, problems = parse_blocks(text)
    assert [i for i, _ in runs] == ["ok"]
    assert any("bad" in p and "not valid JSON" in p for p in problems)
    assert any("cut" in p and "cut off" in p for p in problems)


def test_mismatched_end_marker_does_not_close_a_block():
    runs, problems = parse_blocks('[[DOTSCIENCE-RUN:x]]{}[[/DOTSCIENCE-RUN:y]]')
    assert runs == [] and len(problems) == 1
