"""Demo consultations in several states and languages, for `make demo`."""

import datetime as dt

from django.utils import timezone

from accounts.models import Organisation
from consult.models import (
    Choice,
    Consultation,
    Event,
    Question,
    Region,
    Section,
    State,
    TargetGroup,
    Topic,
)

DEMO = [
    {
        "slug": "clean-water-villages",
        "state": State.OPEN,
        "opens": -10,
        "closes": 20,
        "topic": "water",
        "region": "north",
        "groups": ["rural-remote", "older-persons", "indigenous-peoples"],
        "title": {
            "en": "Clean water for every village",
            "ms": "Air bersih untuk setiap kampung",
            "zh_hans": "每个村庄都有清洁用水",
            "ta": "ஒவ்வொரு கிராமத்திற்கும் சுத்தமான நீர்",
            "ar": "مياه نظيفة لكل قرية",
            "fr": "De l'eau propre pour chaque village",
            "es": "Agua limpia para cada pueblo",
        },
        "summary": {
            "en": "We plan to bring piped water to 120 remote villages. Tell us what matters to you.",
            "ms": "Kami merancang membawa air paip ke 120 kampung terpencil. Beritahu kami apa yang penting bagi anda.",
            "zh_hans": "我们计划为120个偏远村庄接通自来水。请告诉我们您最关心什么。",
            "ta": "120 தொலைதூர கிராமங்களுக்கு குழாய் நீர் கொண்டு வர திட்டமிடுகிறோம். உங்களுக்கு எது முக்கியம் என்று சொல்லுங்கள்.",
            "ar": "نخطط لإيصال مياه الأنابيب إلى 120 قرية نائية. أخبرونا بما يهمكم.",
            "fr": "Nous prévoyons d'amener l'eau courante dans 120 villages isolés. Dites-nous ce qui compte pour vous.",
            "es": "Planeamos llevar agua corriente a 120 pueblos remotos. Díganos qué es importante para usted.",
        },
        "easy_read": {
            "en": "We want to bring clean water to villages. We want to hear from you. You can answer online, on paper or at a meeting.",
            "ms": "Kami mahu membawa air bersih ke kampung. Kami mahu mendengar daripada anda. Anda boleh menjawab dalam talian, di atas kertas atau di mesyuarat.",
        },
    },
    {
        "slug": "bus-routes-2027",
        "state": State.SCHEDULED,
        "opens": 5,
        "closes": 40,
        "topic": "transport",
        "region": "central",
        "groups": ["young-people", "persons-with-disabilities"],
        "title": {
            "en": "Rural bus routes for 2027",
            "ms": "Laluan bas luar bandar untuk 2027",
            "ar": "خطوط الحافلات الريفية لعام 2027",
            "fr": "Lignes de bus rurales pour 2027",
        },
        "summary": {
            "en": "Which villages need a bus, and when? Help us plan next year's routes.",
            "ms": "Kampung mana yang memerlukan bas, dan bila? Bantu kami merancang laluan tahun depan.",
            "ar": "أي القرى تحتاج إلى حافلة، ومتى؟ ساعدونا في تخطيط خطوط العام المقبل.",
            "fr": "Quels villages ont besoin d'un bus, et quand ? Aidez-nous à planifier les lignes.",
        },
    },
    {
        "slug": "flood-recovery-support",
        "state": State.CLOSED,
        "opens": -60,
        "closes": -3,
        "topic": "social-protection",
        "region": "east",
        "groups": ["disaster-affected", "people-in-poverty", "women-girls"],
        "title": {
            "en": "Support after the floods",
            "ms": "Bantuan selepas banjir",
            "ta": "வெள்ளத்திற்குப் பிறகு ஆதரவு",
            "zh_hans": "洪灾后的援助",
            "es": "Apoyo después de las inundaciones",
        },
        "summary": {
            "en": "How should recovery grants be shared out after this year's floods?",
            "ms": "Bagaimana geran pemulihan patut diagihkan selepas banjir tahun ini?",
            "ta": "இந்த ஆண்டு வெள்ளத்திற்குப் பிறகு மீட்பு மானியங்கள் எவ்வாறு பகிரப்பட வேண்டும்?",
            "zh_hans": "今年洪灾后，恢复补助金应如何分配？",
            "es": "¿Cómo deben repartirse las ayudas de recuperación tras las inundaciones?",
        },
    },
    {
        "slug": "clinic-opening-hours",
        "state": State.DRAFT,
        "opens": 14,
        "closes": 60,
        "topic": "health",
        "region": "south",
        "groups": ["older-persons"],
        "title": {"en": "Clinic opening hours", "ms": "Waktu operasi klinik"},
        "summary": {
            "en": "Should rural clinics open in the evening and at weekends?",
            "ms": "Patutkah klinik luar bandar dibuka pada waktu petang dan hujung minggu?",
        },
    },
]

QUESTIONS = [
    (
        "text",
        {
            "en": "What would make the biggest difference to you?",
            "ms": "Apa yang paling memberi kesan kepada anda?",
            "ar": "ما الذي سيحدث أكبر فرق بالنسبة لك؟",
        },
        [],
    ),
    (
        "single",
        {
            "en": "Where does your water come from today?",
            "ms": "Dari mana air anda datang hari ini?",
            "ar": "من أين تأتي مياهك اليوم؟",
        },
        [
            {"en": "Tap", "ms": "Paip", "ar": "صنبور"},
            {"en": "Well", "ms": "Perigi", "ar": "بئر"},
            {"en": "River", "ms": "Sungai", "ar": "نهر"},
        ],
    ),
    (
        "scale",
        {
            "en": "How safe is your drinking water?",
            "ms": "Betapa selamat air minuman anda?",
            "ar": "ما مدى أمان مياه الشرب لديك؟",
        },
        [
            {"en": "Not safe", "ms": "Tidak selamat", "ar": "غير آمنة"},
            {"en": "Not sure", "ms": "Tidak pasti", "ar": "غير متأكد"},
            {"en": "Safe", "ms": "Selamat", "ar": "آمنة"},
        ],
    ),
    (
        "yes_no",
        {
            "en": "Would you pay a small monthly fee?",
            "ms": "Adakah anda sanggup membayar yuran bulanan yang kecil?",
            "ar": "هل ستدفع رسومًا شهرية صغيرة؟",
        },
        [],
    ),
]


def _translated(prefix: str, values: dict[str, str]) -> dict[str, str]:
    fields = {f"{prefix}_{code}": text for code, text in values.items()}
    fields[prefix] = values["en"]
    return fields


def load(*, organisation: Organisation, partner: Organisation) -> list[Consultation]:
    """Create or refresh the demo consultations (idempotent: keyed by slug)."""
    now = timezone.now()
    made = []
    for spec in DEMO:
        fields = {
            "organisation": organisation,
            "state": spec["state"],
            "opens_at": now + dt.timedelta(days=spec["opens"]),
            "closes_at": now + dt.timedelta(days=spec["closes"]),
            "outcome_due": (now + dt.timedelta(days=spec["closes"] + 45)).date(),
            "time_zone": "Asia/Kuala_Lumpur",
            "topic": Topic.objects.get(slug=spec["topic"]),
            "region": Region.objects.get(slug=spec["region"]),
            "contact_name": "Aminah Yusof",
            "contact_email": "consult@demo.suara.example",
            "contact_phone": "+60 3 1234 5678",
            "first_published_at": None
            if spec["state"] == State.DRAFT
            else now + dt.timedelta(days=min(spec["opens"], 0) - 1),
            **_translated("title", spec["title"]),
            **_translated("summary", spec["summary"]),
            **_translated("easy_read", spec.get("easy_read", {"en": ""})),
        }
        consultation, _ = Consultation.objects.update_or_create(slug=spec["slug"], defaults=fields)
        consultation.target_groups.set(TargetGroup.objects.filter(slug__in=spec["groups"]))
        consultation.partners.set([partner])
        if not consultation.sections.exists():
            section = Section.objects.create(
                consultation=consultation,
                position=0,
                **_translated("title", {"en": "Your views", "ms": "Pandangan anda", "ar": "آراؤك"}),
            )
            for position, (kind, text, choices) in enumerate(QUESTIONS):
                question = Question.objects.create(
                    section=section,
                    kind=kind,
                    position=position,
                    ask_reason=kind == "yes_no",
                    **_translated("text", text),
                )
                for choice_position, label in enumerate(choices):
                    Choice.objects.create(
                        question=question, position=choice_position, **_translated("label", label)
                    )
        if not consultation.events.exists():
            Event.objects.create(
                consultation=consultation,
                starts_at=consultation.opens_at + dt.timedelta(days=3),
                ends_at=consultation.opens_at + dt.timedelta(days=3, hours=2),
                place="Balai Raya Kampung Sungai Lui",
                address="Jalan Sungai Lui, 43100 Hulu Langat",
                languages="Bahasa Melayu, English, Tamil",
                **_translated("title", {"en": "Village meeting", "ms": "Mesyuarat kampung"}),
                **_translated(
                    "accessibility",
                    {
                        "en": "Step-free entrance, seats, accessible toilet. A facilitator helps anyone who cannot write.",
                        "ms": "Pintu masuk tanpa tangga, tempat duduk, tandas mesra OKU.",
                    },
                ),
            )
        made.append(consultation)
    return made
