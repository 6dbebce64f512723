"""Case classifier: accuracy on a held-out split of generated cases, and the fall-back rate.

Usage: .venv/bin/python bench/classify.py [--per-category 120] [--seed 2026]

Generates case descriptions for every leaf of the default category tree the way residents
write them: a place, one or two of the category's own words — its keywords or, as often,
everyday words no keyword lists (电驴 for 电动车) — a complaint, sometimes a stray word of
another category. Trains `classify.fit` on four fifths and scores the held-out fifth:

- model accuracy (top 1) and top-3 accuracy;
- the fall-back rate: held-out texts whose top model confidence is under MIN_CONFIDENCE, so
  `suggest` answers from the keywords (and how many of those get no suggestion at all);
- the keyword rules alone on the same texts, the cold start the model replaces (baseline).

Runs on a throwaway SQLite database (the tree comes from the migrations). A benchmark, never
a test: it prints figures and passes or fails nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

PLACES = [
    "小区东门",
    "3 栋楼下",
    "菜市场旁边",
    "幼儿园门口",
    "2 单元",
    "地下车库",
    "公交站旁",
    "我家楼上",
    "后面那条巷子",
    "健身广场",
]
COMPLAINTS = [
    "好几天了没人管",
    "希望尽快处理",
    "影响大家出行",
    "老人小孩很不安全",
    "已经反映过一次",
    "麻烦社区看一下",
    "",
]
# Everyday words residents use that the tree's keywords do not list.
EVERYDAY = {
    "city-garbage": ["发臭", "苍蝇", "馊了", "没人收"],
    "city-dirty-road": ["黑水", "泥巴", "滑倒"],
    "city-debris": ["砖头", "旧家具", "沙子"],
    "city-flyers": ["办证电话", "贴满了", "喷的号码"],
    "city-noise-night": ["半夜", "轰隆隆", "打桩"],
    "city-stalls": ["卖水果的", "烧烤摊", "三轮车摆摊"],
    "city-parking": ["小黄车", "车停在盲道", "挡住出口"],
    "city-waterlogging": ["水漫过脚", "排不出去", "下雨就淹"],
    "city-manhole": ["盖子没了", "黑洞洞", "踩空"],
    "hazard-fire-escape": ["过不去人", "堆满纸壳", "通道门锁了"],
    "hazard-ebike-charging": ["电驴", "插线板", "推上楼"],
    "hazard-gas": ["闻到怪味", "阀门", "罐子"],
    "hazard-falling": ["瓷砖掉", "砸到", "空调外机晃"],
    "dispute-neighbour": ["楼上", "狗叫", "吵得睡不着"],
    "dispute-family": ["儿女不管", "离婚", "吵架动手"],
    "dispute-labour": ["包工头", "三个月没发", "讨薪"],
    "life-property": ["物业不管", "电梯坏了", "门禁"],
    "life-utilities": ["没水", "跳闸", "暖气不热"],
}


def generate(categories: list[tuple[int, str, list[str]]], per: int, seed: int):
    rng = random.Random(seed)
    texts, labels = [], []
    for pk, code, keywords in categories:
        words = keywords + EVERYDAY.get(code, [])
        if not words:
            continue
        for _ in range(per):
            own = rng.sample(words, k=min(len(words), rng.choice((1, 2))))
            stray = []
            if rng.random() < 0.1:
                other = rng.choice(categories)[2]
                stray = rng.sample(other, k=1) if other else []
            parts = [rng.choice(PLACES), *own, *stray, rng.choice(COMPLAINTS)]
            texts.append("".join(p for p in parts if p))
            labels.append(pk)
    return texts, labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-category", type=int, default=120)
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="shequtong_bench_classify_")
    os.environ.update(
        SHEQUTONG_MODE="test",
        DATABASE_URL=f"sqlite:///{folder}/db.sqlite3",
        SHEQUTONG_VAR_DIR=folder,
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequtong.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from shequtong.cases import classify
    from shequtong.cases.models import Category

    leaves = Category.objects.filter(children__isnull=True, parent__isnull=False)
    categories = [(c.pk, c.code, c.keywords.split()) for c in leaves]
    texts, labels = generate(categories, options.per_category, options.seed)
    order = list(range(len(texts)))
    random.Random(options.seed).shuffle(order)
    cut = len(order) // 5
    test, train = order[:cut], order[cut:]

    started = time.perf_counter()
    model, _ = classify.fit([texts[i] for i in train], [labels[i] for i in train])
    trained = time.perf_counter() - started
    started = time.perf_counter()
    probabilities = model.predict_proba([texts[i] for i in test])
    predicted = time.perf_counter() - started
    classes = list(model.classes_)
    top1 = top3 = fallback = nothing = keyword_hits = 0
    for row, i in zip(probabilities, test, strict=True):
        ranked = sorted(range(len(classes)), key=lambda j: -row[j])[:3]
        top1 += classes[ranked[0]] == labels[i]
        top3 += labels[i] in [classes[j] for j in ranked]
        keywords = classify.by_keywords(texts[i], 1)
        keyword_hits += bool(keywords) and keywords[0].category_id == labels[i]
        if row[ranked[0]] < classify.MIN_CONFIDENCE:
            fallback += 1
            nothing += not keywords
    n = len(test)
    print(f"Case classifier — {len(categories)} categories, {len(texts)} generated cases")
    print(f"  train / held out              {len(train)} / {n}")
    print(f"  training time                 {trained:.2f} s")
    print(f"  prediction                    {predicted / n * 1000:.2f} ms a case")
    print(f"  model accuracy (top 1)        {top1 / n:.1%}")
    print(f"  model accuracy (top 3)        {top3 / n:.1%}")
    print(f"  keyword rules alone (top 1)   {keyword_hits / n:.1%}   (the cold start, baseline)")
    print(
        f"  fall-back rate                {fallback / n:.1%}   "
        f"(confidence < {classify.MIN_CONFIDENCE}; of these {nothing} got no suggestion)"
    )


if __name__ == "__main__":
    main()
