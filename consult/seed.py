"""Reference lists seeded by migration: target groups, topics and regions, in every language.

Staff and administrators may add to them later in the admin.
"""

TARGET_GROUPS = [
    (
        "young-people",
        {
            "en": "Young people",
            "ms": "Golongan muda",
            "zh_hans": "年轻人",
            "ta": "இளைஞர்கள்",
            "ar": "الشباب",
            "fr": "Jeunes",
            "es": "Personas jóvenes",
        },
    ),
    (
        "older-persons",
        {
            "en": "Older persons",
            "ms": "Warga emas",
            "zh_hans": "老年人",
            "ta": "முதியவர்கள்",
            "ar": "كبار السن",
            "fr": "Personnes âgées",
            "es": "Personas mayores",
        },
    ),
    (
        "persons-with-disabilities",
        {
            "en": "Persons with disabilities",
            "ms": "Orang kurang upaya",
            "zh_hans": "残障人士",
            "ta": "மாற்றுத்திறனாளிகள்",
            "ar": "الأشخاص ذوو الإعاقة",
            "fr": "Personnes handicapées",
            "es": "Personas con discapacidad",
        },
    ),
    (
        "indigenous-peoples",
        {
            "en": "Indigenous peoples",
            "ms": "Orang asal",
            "zh_hans": "原住民",
            "ta": "பழங்குடி மக்கள்",
            "ar": "الشعوب الأصلية",
            "fr": "Peuples autochtones",
            "es": "Pueblos indígenas",
        },
    ),
    (
        "people-in-poverty",
        {
            "en": "People living in poverty",
            "ms": "Golongan miskin",
            "zh_hans": "贫困人口",
            "ta": "வறுமையில் வாழும் மக்கள்",
            "ar": "الأشخاص الذين يعيشون في فقر",
            "fr": "Personnes vivant dans la pauvreté",
            "es": "Personas en situación de pobreza",
        },
    ),
    (
        "rural-remote",
        {
            "en": "Rural or remote communities",
            "ms": "Komuniti luar bandar atau pedalaman",
            "zh_hans": "农村或偏远社区",
            "ta": "கிராமப்புற அல்லது தொலைதூர சமூகங்கள்",
            "ar": "المجتمعات الريفية أو النائية",
            "fr": "Communautés rurales ou isolées",
            "es": "Comunidades rurales o remotas",
        },
    ),
    (
        "informal-settlements",
        {
            "en": "Urban informal settlements",
            "ms": "Penempatan tidak formal bandar",
            "zh_hans": "城市非正规住区",
            "ta": "நகர்ப்புற முறைசாரா குடியிருப்புகள்",
            "ar": "المستوطنات الحضرية غير الرسمية",
            "fr": "Quartiers urbains informels",
            "es": "Asentamientos urbanos informales",
        },
    ),
    (
        "disaster-affected",
        {
            "en": "People affected by disasters",
            "ms": "Mangsa bencana",
            "zh_hans": "受灾人群",
            "ta": "பேரிடரால் பாதிக்கப்பட்டவர்கள்",
            "ar": "المتضررون من الكوارث",
            "fr": "Personnes touchées par des catastrophes",
            "es": "Personas afectadas por desastres",
        },
    ),
    (
        "migrants-refugees",
        {
            "en": "Migrants and refugees",
            "ms": "Migran dan pelarian",
            "zh_hans": "移民和难民",
            "ta": "புலம்பெயர்ந்தோர் மற்றும் அகதிகள்",
            "ar": "المهاجرون واللاجئون",
            "fr": "Migrants et réfugiés",
            "es": "Migrantes y personas refugiadas",
        },
    ),
    (
        "women-girls",
        {
            "en": "Women and girls",
            "ms": "Wanita dan kanak-kanak perempuan",
            "zh_hans": "妇女和女童",
            "ta": "பெண்கள் மற்றும் சிறுமிகள்",
            "ar": "النساء والفتيات",
            "fr": "Femmes et filles",
            "es": "Mujeres y niñas",
        },
    ),
]

TOPICS = [
    (
        "health",
        {
            "en": "Health",
            "ms": "Kesihatan",
            "zh_hans": "卫生",
            "ta": "சுகாதாரம்",
            "ar": "الصحة",
            "fr": "Santé",
            "es": "Salud",
        },
    ),
    (
        "education",
        {
            "en": "Education",
            "ms": "Pendidikan",
            "zh_hans": "教育",
            "ta": "கல்வி",
            "ar": "التعليم",
            "fr": "Éducation",
            "es": "Educación",
        },
    ),
    (
        "transport",
        {
            "en": "Transport",
            "ms": "Pengangkutan",
            "zh_hans": "交通",
            "ta": "போக்குவரத்து",
            "ar": "النقل",
            "fr": "Transports",
            "es": "Transporte",
        },
    ),
    (
        "water",
        {
            "en": "Water and sanitation",
            "ms": "Air dan sanitasi",
            "zh_hans": "供水和卫生设施",
            "ta": "நீர் மற்றும் சுகாதார வசதி",
            "ar": "المياه والصرف الصحي",
            "fr": "Eau et assainissement",
            "es": "Agua y saneamiento",
        },
    ),
    (
        "environment",
        {
            "en": "Environment",
            "ms": "Alam sekitar",
            "zh_hans": "环境",
            "ta": "சுற்றுச்சூழல்",
            "ar": "البيئة",
            "fr": "Environnement",
            "es": "Medio ambiente",
        },
    ),
    (
        "housing",
        {
            "en": "Housing",
            "ms": "Perumahan",
            "zh_hans": "住房",
            "ta": "வீட்டுவசதி",
            "ar": "السكن",
            "fr": "Logement",
            "es": "Vivienda",
        },
    ),
    (
        "social-protection",
        {
            "en": "Social protection",
            "ms": "Perlindungan sosial",
            "zh_hans": "社会保障",
            "ta": "சமூகப் பாதுகாப்பு",
            "ar": "الحماية الاجتماعية",
            "fr": "Protection sociale",
            "es": "Protección social",
        },
    ),
]

REGIONS = [
    (
        "national",
        {
            "en": "Whole country",
            "ms": "Seluruh negara",
            "zh_hans": "全国",
            "ta": "நாடு முழுவதும்",
            "ar": "البلد بأكمله",
            "fr": "Tout le pays",
            "es": "Todo el país",
        },
    ),
    (
        "north",
        {
            "en": "Northern region",
            "ms": "Wilayah utara",
            "zh_hans": "北部地区",
            "ta": "வடக்கு பகுதி",
            "ar": "المنطقة الشمالية",
            "fr": "Région nord",
            "es": "Región norte",
        },
    ),
    (
        "central",
        {
            "en": "Central region",
            "ms": "Wilayah tengah",
            "zh_hans": "中部地区",
            "ta": "மத்திய பகுதி",
            "ar": "المنطقة الوسطى",
            "fr": "Région centre",
            "es": "Región central",
        },
    ),
    (
        "south",
        {
            "en": "Southern region",
            "ms": "Wilayah selatan",
            "zh_hans": "南部地区",
            "ta": "தெற்கு பகுதி",
            "ar": "المنطقة الجنوبية",
            "fr": "Région sud",
            "es": "Región sur",
        },
    ),
    (
        "east",
        {
            "en": "Eastern region",
            "ms": "Wilayah timur",
            "zh_hans": "东部地区",
            "ta": "கிழக்கு பகுதி",
            "ar": "المنطقة الشرقية",
            "fr": "Région est",
            "es": "Región este",
        },
    ),
]


def _names(names: dict[str, str]) -> dict[str, str]:
    fields = {f"name_{code}": value for code, value in names.items()}
    fields["name"] = names["en"]
    return fields


def seed_reference_data(target_group_model, topic_model, region_model) -> None:
    for position, (slug, names) in enumerate(TARGET_GROUPS):
        target_group_model.objects.update_or_create(
            slug=slug, defaults={**_names(names), "position": position}
        )
    for slug, names in TOPICS:
        topic_model.objects.update_or_create(slug=slug, defaults=_names(names))
    for slug, names in REGIONS:
        region_model.objects.update_or_create(slug=slug, defaults=_names(names))
