"""Free-text analysis at scale, on generated multilingual text (no external data).

Prints:
- theme suggestions (`outcomes.suggest.cluster_texts`) for 20,000 answers: target < 60 s;
- campaign grouping (`outcomes.campaigns.group_texts`) of 100,000 answers: target < 60 s.

Both time the analysis itself (vectorising, clustering or MinHash + LSH, labels), which is
what grows with the number of answers; reading the texts and writing the results are one
query and batched inserts. Run: `python bench/bench_text.py [suggest|campaigns]`.
"""

import os
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")

import django

django.setup()

from outcomes.campaigns import group_texts  # noqa: E402
from outcomes.suggest import cluster_texts  # noqa: E402

# Topics in several scripts: each a few sentences and words people add around them.
TOPICS = {
    "water": [
        "The tap water in our village is brown and smells bad",
        "We need clean drinking water, the pipes are old",
        "Air paip di kampung kami keruh dan berbau",
        "我们村的自来水很脏，需要更换水管",
        "எங்கள் கிராமத்தில் குடிநீர் சுத்தமாக இல்லை",
        "مياه الشرب في قريتنا غير نظيفة",
    ],
    "transport": [
        "The bus to town never comes on time",
        "Bas ke pekan tidak datang tepat pada masanya",
        "公共汽车太少了，老人出门很不方便",
        "பேருந்து நேரத்திற்கு வருவதில்லை",
        "الحافلة لا تأتي في الوقت المحدد",
    ],
    "schools": [
        "The school is too far and children walk for an hour",
        "Sekolah terlalu jauh dan anak-anak berjalan kaki",
        "学校离家太远，孩子每天要走很久",
        "பள்ளி மிகவும் தொலைவில் உள்ளது",
        "المدرسة بعيدة جدا عن بيوتنا",
    ],
    "health": [
        "The clinic has no doctor on weekends",
        "Klinik tiada doktor pada hujung minggu",
        "诊所周末没有医生，看病很难",
        "மருத்துவமனையில் மருத்துவர் இல்லை",
        "لا يوجد طبيب في العيادة يوم الجمعة",
    ],
    "internet": [
        "There is no phone signal or internet in our area",
        "Tiada liputan internet di kawasan kami",
        "我们这里没有网络信号",
        "எங்கள் பகுதியில் இணைய வசதி இல்லை",
        "لا توجد تغطية للإنترنت في منطقتنا",
    ],
    "prices": [
        "Food prices are too high for pensioners",
        "Harga barang terlalu mahal untuk warga emas",
        "物价太高，退休老人买不起",
        "விலைவாசி மிகவும் அதிகமாக உள்ளது",
        "الأسعار مرتفعة جدا على المتقاعدين",
    ],
}
FILLERS = "please really also today every day for years sangat juga 真的 தயவுசெய்து جدا".split()  # noqa: SIM905 - reads as a sentence


def answer(rng: random.Random) -> str:
    sentence = rng.choice(rng.choice(list(TOPICS.values())))
    words = sentence.split(" ")
    for _ in range(rng.randint(0, 3)):
        words.insert(rng.randrange(len(words) + 1), rng.choice(FILLERS))
    tail = rng.choice(["", ".", "!", f" ({rng.randint(1, 99)})", " Thank you."])
    return " ".join(words) + tail


CAMPAIGNS = [
    "We oppose the highway through the wetlands because it will destroy the mangroves and "
    "flood our homes, and we ask the ministry to choose the coastal route instead.",
    "Kami membantah pembinaan empangan baharu kerana ia akan menenggelamkan tanah adat "
    "dan kubur nenek moyang kami di lembah ini.",
    "我们反对关闭镇上唯一的医院，因为最近的医院在一百公里以外，老人和孕妇无法及时就医。",
]


def campaign_copy(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    if len(words) > 3:
        for _ in range(rng.randint(0, 2)):
            words[rng.randrange(len(words))] = rng.choice(FILLERS)
    copy = " ".join(words)
    return copy.upper() if rng.random() < 0.2 else copy


def timed(label: str, target: float, run) -> None:
    start = time.perf_counter()
    outcome = run()
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    verdict = "OK" if elapsed < target else "SLOWER THAN TARGET"
    print(f"{label}: {elapsed:.1f} s (target < {target:.0f} s, {verdict}); {outcome}; "
          f"peak process memory so far {peak / 2**20:.0f} MB", flush=True)  # fmt: skip


def bench_suggest(n: int = 20_000) -> None:
    rng = random.Random(5)
    texts = [answer(rng) for _ in range(n)]
    steps = []
    timed(
        f"theme suggestions for {n:,} answers",
        60,
        lambda: (
            lambda clusters: (
                f"{len(clusters)} suggestions, largest "
                f"{int(clusters[0].size)}: {', '.join(clusters[0].terms[:3])}"
            )
        )(cluster_texts(texts, progress=steps.append)),
    )


def bench_campaigns(n: int = 100_000) -> None:
    rng = random.Random(7)
    copies = n * 3 // 10  # 30% of the answers are campaign copies, in three campaigns
    texts = [campaign_copy(rng, CAMPAIGNS[i % len(CAMPAIGNS)]) for i in range(copies)]
    texts += [answer(rng) + f" {rng.randint(0, 10**6)}" for _ in range(n - copies)]
    rng.shuffle(texts)
    timed(
        f"campaign grouping of {n:,} answers",
        60,
        lambda: (
            lambda groups: (
                f"{len(groups)} groups, the three largest "
                f"{[len(g.members) for g in groups[:3]]} (planted {copies // 3:,} each)"
            )
        )(group_texts(texts)),
    )


if __name__ == "__main__":
    wanted = sys.argv[1:] or ["suggest", "campaigns"]
    if "suggest" in wanted:
        bench_suggest()
    if "campaigns" in wanted:
        bench_campaigns()
