"""Reviews, public posts, agents' outreach and nudges, chime-ins, email extras and greetings."""

from __future__ import annotations

# A paragraph some customers add to an email, making it several paragraphs long.
EMAIL_EXTRAS = (
    "\n\nFor context: I've ordered from you many times and never had an issue before. I tried "
    "the live chat first but it kept disconnecting, and the phone line said the wait was over "
    "an hour. I'm writing here because I'd like this resolved in writing.\n\nI've attached "
    "what I have. Please let me know if you need anything else from me.",
    "\n\nP.S. The delivery driver left the parcel in the rain outside the building door, "
    "which probably didn't help. Maybe pass that on to the courier as well.",
)

# Google reviews: (rating, text) per language; the response depends on whether it is good.
REVIEWS: dict[str, tuple[tuple[int, str], ...]] = {
    "en": (
        (
            5,
            "Great store, friendly staff and they helped me find the right boots. Will be back! ⭐",
        ),
        (5, "Best outdoor shop in town. Ask for Sam, he knows everything about tents."),
        (4, "Good selection, a bit pricey. Parking is a nightmare on weekends."),
        (3, "Okay experience. Long queue at the checkout and only one till open."),
        (2, "Ordered online for in-store pickup, waited 40 minutes while they searched for it."),
        (
            1,
            "Terrible customer service. Returned a faulty jacket and was told to come back "
            "another day.\n\nWhen I came back, nobody knew anything about it and the manager "
            "was 'on a break'. Never again.",
        ),
    ),
    "es": (
        (5, "Personal muy amable y buena calidad. ¡Repetiré!"),
        (2, "Precios altos y poca variedad de tallas."),
    ),
    "fr": (
        (5, "Accueil au top et de très bons conseils. Je recommande !"),
        (1, "Attente interminable en caisse, personne pour aider."),
    ),
    "de": (
        (4, "Gute Beratung, aber leider etwas teuer."),
        (2, "Umtausch war kompliziert, Kassenbon wurde zweimal verlangt."),
    ),
    "pt": (
        (5, "Atendimento excelente, voltarei com certeza!"),
        (3, "Loja bonita, mas demoraram muito para me atender."),
    ),
}
REVIEW_RESPONSES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "en": (
        (
            "Thank you so much, {first}! We're thrilled you found what you needed. See you on "
            "the trails 🏔️",
            "Thanks for the lovely review, {first}! We'll pass it on to the team.",
        ),
        (
            "Hi {first}, we're sorry your visit fell short. We'd like to make it right: please "
            "email care@acme-demo.example with your receipt and we'll follow up personally.",
            "Thank you for the honest feedback, {first}. We've shared it with the store manager "
            "and are adding staff at peak times.",
        ),
    ),
    "es": (("¡Gracias, {first}! Nos alegra mucho.",), ("Lo sentimos, {first}. Lo revisaremos.",)),
    "fr": (("Merci beaucoup, {first} !",), ("Nous sommes désolés, {first}. Nous allons voir.",)),
    "de": (("Vielen Dank, {first}!",), ("Das tut uns leid, {first}. Wir kümmern uns darum.",)),
    "pt": (("Obrigado, {first}!",), ("Sentimos muito, {first}. Vamos verificar.",)),
}

# Posts an agent starts on public channels: (post, comments, answers to comments).
POSTS: dict[str, tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]] = {
    "Twitter": (
        (
            "Our winter sale starts now ❄️ Up to 40% off jackets, boots and more, in stores and "
            "online until Sunday.",
            ("Does the sale include the {item}?", "Finally!! 😍", "Is this in stores too?"),
            (
                "Yes, {first}! It applies to everything in stores and online.",
                "See you there, {first} 😊",
            ),
        ),
        (
            "Heads up: our website will be down for maintenance tonight from 1am to 3am ET. "
            "Orders already placed are not affected.",
            ("Will the app work during that time?", "Thanks for the heads up 👍"),
            ("The app will be read-only during that window, {first}.",),
        ),
        (
            "We're aware some customers can't log in to the app right now. Our team is on it "
            "and we'll update you here. Sorry for the trouble 🙏",
            ("Still broken for me", "Same here, can't see my orders", "Works now, thanks!"),
            ("Thanks {first}, a fix is rolling out now. Please try again in 10 minutes.",),
        ),
    ),
    "Facebook": (
        (
            "🎉 Our new Riverside Mall store opens this Saturday at 10am!\n\nThe first 100 "
            "visitors get a free beanie, and there'll be coffee and live music all day. Come "
            "say hi to the team!",
            (
                "Will there be parking?",
                "Can't wait!! 😍",
                "Is it open on Sundays too?",
                "Finally a store on this side of town",
            ),
            (
                "Yes, {first}: free parking for 3 hours in the mall's north garage.",
                "See you Saturday, {first}! 🎉",
                "Sundays 11am-5pm, {first}.",
            ),
        ),
        (
            "Holiday shipping deadlines 📦\n\n• Standard delivery: order by December 16\n"
            "• Express: order by December 20\n• Click & collect: until 2pm on December 23\n\n"
            "Happy holidays from all of us at Acme!",
            ("Does this apply to Canada?", "Do you gift wrap? 🎁"),
            (
                "For Canada please allow 3 extra days, {first}.",
                "We do! Tick 'gift wrap' at checkout.",
            ),
        ),
    ),
    "Linkedin": (
        (
            "We're hiring! Acme is looking for three Customer Care Specialists to join our "
            "remote team. Experience with social and messaging channels is a plus. Apply via "
            "the link in our profile.",
            ("Is the role open to applicants in Canada?", "Shared with my network 👍"),
            ("Yes, {first}: the roles are remote across the US and Canada.", "Thank you!"),
        ),
        (
            "We're proud to share that Acme Outfitters is now a certified B Corporation. Thank "
            "you to our team, partners and customers who made this possible.",
            ("Congratulations to the whole team! 👏", "Well deserved."),
            ("Thank you, {first}!",),
        ),
    ),
}

# What an agent sends to start a private conversation: (email subject, body, customer answers).
OUTREACH: dict[str, tuple[tuple[str | None, str, tuple[str, ...]], ...]] = {
    "WhatsApp": (
        (
            None,
            "Hi {first}, your order {order} has shipped 📦 Track it here: "
            "https://track.acme-demo.example/{tracking}",
            ("Thanks!", "Great, thank you 😊", "Can you deliver it to my office instead?"),
        ),
        (
            None,
            "Hi {first}, your {item} is ready for pickup at our {store} store.",
            ("Can someone else pick it up for me?", "Thanks! I'll come by tomorrow."),
        ),
        (
            None,
            "Hi {first}, sorry, your order {order} is running late. New estimate: Friday.",
            ("Ok, thanks for letting me know.", "Friday is too late, I need it for Thursday 😕"),
        ),
    ),
    "Viber": (
        (
            None,
            "Hi {first}, your order {order} is ready for pickup at our {store} store.",
            ("Can someone else pick it up for me?", "Thanks! I'll come by tomorrow."),
        ),
        (
            None,
            "Hi {first}, how was your recent purchase? Reply 1-5 to rate us.",
            ("5", "4, quick delivery but the box was damaged", "1. Still waiting for my refund."),
        ),
    ),
    "Email": (
        (
            "Your return {order}: next steps",
            "We've received the {item} you sent back. Your refund of {amount} will be "
            "processed within 2 business days, and you'll get a confirmation email when it's "
            "done.",
            ("Thanks for the update!", "Wait, didn't I already get a refund for this?"),
        ),
        (
            "About your recent message",
            "I'm following up on the issue you reported with order {order}. Could you confirm "
            "whether the replacement has arrived?",
            ("Yes, it arrived yesterday. All good.", "No, nothing yet 😕"),
        ),
    ),
}
# A second message in a row from the agent.
NUDGES: dict[str, tuple[str, ...]] = {
    "en": (
        "Just following up: did you get a chance to look at my previous message?",
        "PS: I've added a note to your order so any of my colleagues can pick this up too.",
        "One more thing: you'll get an email confirmation within the hour.",
    ),
    "es": ("¿Has podido ver mi mensaje anterior?",),
    "fr": ("Avez-vous pu voir mon message précédent ?",),
    "de": ("Konnten Sie meine letzte Nachricht schon lesen?",),
    "pt": ("Conseguiu ver minha mensagem anterior?",),
    "ar": ("هل اطلعت على رسالتي السابقة؟",),
    "he": ("הספקת לראות את ההודעה הקודמת שלי?",),
    "ja": ("先ほどのメッセージはご確認いただけましたでしょうか？",),
    "zh": ("请问您看到我之前的消息了吗？",),
    "hi": ("क्या आपने मेरा पिछला संदेश देखा?",),
    "ru": ("Вы успели посмотреть моё предыдущее сообщение?",),
}
# Other people joining a public complaint.
CHIME_INS = (
    "Same here!! 😡",
    "+1, same problem",
    "Following, I have the same issue",
    "Any update on this? Waiting too 🙄",
)

# How greetings start, in every language we write; an email body that has one needs no other.
GREETINGS = (
    "Hi",
    "Hello",
    "Hey",
    "Hola",
    "Bonjour",
    "Hallo",
    "Oi",
    "Olá",
    "مرحباً",
    "שלום",
    "こんにちは",
    "你好",
    "नमस्ते",
    "Здравствуйте",
)
