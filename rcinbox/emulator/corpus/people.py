"""Customers' names by locale, and the details their identities carry."""

from __future__ import annotations

from .model import Names, name_pools

LOCALES = ("en", "es", "fr", "de", "pt", "ar", "he", "ja", "zh", "hi", "ru")
LOCALE_WEIGHTS = (55, 10, 7, 6, 6, 3, 2, 3, 3, 3, 2)

NAMES: dict[str, Names] = {
    "en": name_pools(
        "James, Liam, Noah, Ethan, Mason, Lucas, Ben, Ryan, Tyler, Kevin, Jamal, Connor, Deshawn",
        "Olivia, Emma, Ava, Sophia, Chloe, Grace, Hannah, Zoe, Megan, Aisha, Siobhan, Mia",
        "Smith, Johnson, Williams, Brown, Miller, Davis, Wilson, Taylor, Anderson, O'Connor, "
        "Nguyen, Patel, Kim, Murphy, Robinson, Walker, Hughes, Clarke, Okonkwo, Fitzgerald",
        False,
        "+1",
        "en_US",
    ),
    "es": name_pools(
        "Mateo, Santiago, Diego, Alejandro, Javier, Íñigo",
        "Sofía, Valentina, Lucía, Camila, María José, Ximena",
        "García, Rodríguez, Martínez, López, Hernández, Pérez, Sánchez, Ramírez, Torres, "
        "Flores, Muñoz, Ibáñez",
        False,
        "+34",
        "es_ES",
    ),
    "fr": name_pools(
        "Louis, Hugo, Théo, François, Mathéo",
        "Camille, Léa, Chloé, Manon, Inès, Élodie, Zoé, Anaïs",
        "Martin, Bernard, Dubois, Thomas, Robert, Petit, Durand, Leroy, Moreau, Lefèvre, Faure",
        False,
        "+33",
        "fr_FR",
    ),
    "de": name_pools(
        "Lukas, Felix, Jonas, Maximilian, Jürgen",
        "Anna, Lena, Marie, Käthe",
        "Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Groß",
        False,
        "+49",
        "de_DE",
    ),
    "pt": name_pools(
        "João, Pedro, Gabriel, Rafael",
        "Ana, Beatriz, Mariana, Conceição",
        "Silva, Santos, Oliveira, Souza, Costa, Pereira, Almeida, Gonçalves",
        False,
        "+55",
        "pt_BR",
    ),
    "ar": name_pools(
        "محمد, أحمد, علي, يوسف",
        "فاطمة, مريم, نور, ليلى",
        "العلي, حسن, الخطيب, منصور, السيد, حداد",
        False,
        "+971",
        "ar_AE",
    ),
    "he": name_pools(
        "דוד, יוסי, אבי",
        "נועה, מיכל, תמר, שירה",
        "כהן, לוי, מזרחי, פרץ, ביטון, אברהם",
        False,
        "+972",
        "he_IL",
    ),
    "ja": name_pools(
        "健太, 大輔, 蓮, 翔太",
        "美咲, 陽子, さくら, 結衣",
        "佐藤, 鈴木, 高橋, 田中, 伊藤, 渡辺, 山本, 中村",
        True,
        "+81",
        "ja_JP",
    ),
    "zh": name_pools(
        "伟, 磊, 洋", "芳, 娜, 敏, 静, 婷", "王, 李, 张, 刘, 陈, 杨, 黄, 赵", True, "+86", "zh_CN"
    ),
    "hi": name_pools(
        "Aarav, Rohan, Vikram, अमित",
        "Priya, Ananya, Kavya, सुनीता",
        "Sharma, Patel, Gupta, Iyer, Reddy, Singh, शर्मा, वर्मा",
        False,
        "+91",
        "hi_IN",
    ),
    "ru": name_pools(
        "Дмитрий, Сергей, Иван, Алексей",
        "Анна, Ольга, Екатерина, Наталья",
        "Смирнов, Кузнецов, Попов, Соколов, Лебедев, Новиков | "
        "Смирнова, Кузнецова, Попова, Соколова, Лебедева, Новикова",
        False,
        "+7",
        "ru_RU",
    ),
}

# Display names people really choose: with emoji, or very long.
EMOJI_NAME_FORMS = ("{name} 🌸", "✨{name}✨", "{name} 🇧🇷", "🐶 {name}", "{name} 🏔️⛺", "{name} 💙")
LONG_NAMES = (
    ("María Fernanda de los Ángeles", "García-Villanueva y Montenegro de la Santísima Trinidad"),
    ("Hubert Blaine", "Wolfeschlegelsteinhausenbergerdorff Sr."),
    ("Sir Reginald Bartholomew", "Featherstonehaugh-Cholmondeley III"),
    ("Anh Thư Nguyễn Thị", "Phương Thảo (Customer since 2009, please read my whole message)"),
)
COMPANIES = (
    "Globex Corporation",
    "Initech",
    "Umbrella Logistics",
    "Stark Outdoor Club",
    "Wayne Events GmbH",
    "Tyrell Trading SARL",
)
EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example", "inbox.example")
TW_DESCRIPTIONS = (
    "Trail runner 🏃‍♀️ | coffee ☕ | views my own",
    "Dad of 3. Fixing things that aren't broken.",
    "Photographer 📷 mountains & rivers",
    None,
    "ملابس، سفر، قهوة",
    "山が好き 🏔️",
)
TW_LOCATIONS = ("Seattle, WA", "London", "Madrid", "Berlin", "São Paulo", "Tokyo", "", None)
DEVICES = (
    "iPhone (iPhone); iOS 18.1",
    "Samsung SM-S918B; Android 15",
    "Chrome 131 on Windows 11",
    "Safari 18 on macOS 15",
    "Pixel 9; Android 15",
)
