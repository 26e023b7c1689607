import sys, shutil
from pathlib import Path
from tests.catalogue import topic_modules, PROJECT
topic, root = sys.argv[1], Path(sys.argv[2])
mistakes = topic_modules()[topic].MISTAKES
by_ex = {}
for v in mistakes: by_ex.setdefault(v.exercise, []).append(v)
chosen = []
for round_ in range(max(map(len, by_ex.values()))):
    for ex, vs in by_ex.items():
        if round_ < len(vs) and len(chosen) < 8: chosen.append(vs[round_])
root.mkdir(parents=True)
for i in range(8):
    (root / f"pass{i}").mkdir(); shutil.copy(PROJECT / "solutions" / f"{topic}.py", root / f"pass{i}")
for i, v in enumerate(chosen):
    (root / f"fail{i}").mkdir(); (root / f"fail{i}" / f"{topic}.py").write_text(v.source(topic)); print(i, v.id)
