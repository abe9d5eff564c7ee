"""What customers and agents write, by language: topics with their openers and answers.

English has the full set (topics with follow-ups and attachments); the other languages have one
opener and one answer per topic. ``{order}``, ``{first}`` and the like are filled from a thread's
context (see ``rcinbox.emulator.seeding.writing.thread_context``).
"""

from __future__ import annotations

from .files import GUIDE, LABEL, PHOTO, RECEIPT, SCREENSHOT, VIDEO
from .model import Language, Topic, simple

EN = Language(
    topics=(
        Topic(
            "Where is my order {order}?",
            (
                "Hi, I ordered a {item} last week (order {order}) and it still says "
                "'processing'. When will it ship?",
                "Hello! Any update on order {order}? The tracking hasn't changed in 4 days 📦",
                "where is my order?? {order}",
                "Hey there, quick question: my order {order} was supposed to arrive "
                "yesterday. Can you check what's going on?",
            ),
            (
                "Hi {first}, thanks for reaching out! I checked order {order}: it left our "
                "warehouse this morning and should arrive within 2-3 business days. Tracking "
                "number: {tracking}.",
                "Hi {first}, sorry for the wait. Order {order} was held up at the carrier's "
                "hub; it's moving again and the new estimate is Friday. I'll keep an eye on it "
                "for you.",
                "Thanks {first}! Your {item} is packed and ships today. You'll get an email "
                "with the tracking link as soon as the carrier scans it.",
                "Hi {first}, I'm sorry! Order {order} is with the local courier and out for "
                "delivery today. You'll get a text with a 2-hour window.",
            ),
            (
                "Ok thanks. Can I change the delivery address? I won't be home that day.",
                "The tracking number {tracking} only says 'label created'. Is that normal?",
                "Still nothing today...",
            ),
            (
                "I've updated the delivery address on order {order}. The carrier will have "
                "the change within a few hours.",
                "Yes, that's normal for the first 24 hours: it updates at the first scan at "
                "the hub.",
                "I've asked the carrier to investigate (ref {ticket}). If it hasn't moved by "
                "tomorrow, we'll send a replacement at no cost.",
            ),
            shared=True,
            attach=0.1,
            files=(SCREENSHOT,),
        ),
        Topic(
            "Refund for order {order}",
            (
                "I returned the {item} two weeks ago and haven't seen my refund yet. Order "
                "{order}.",
                "Hi, I'd like to return my {item}, it doesn't fit. How do I get a return label?",
                "Can I get the refund on a different card? The one I used has expired.",
            ),
            (
                "Hi {first}, your return for order {order} arrived at our warehouse on "
                "Monday. The refund of {amount} was issued today; banks usually show it within "
                "3-5 business days.",
                "Of course! I've emailed you a prepaid return label for order {order}. Drop "
                "the parcel at any post office within 30 days and we'll refund you as soon as "
                "it arrives.",
                "Refunds always go back to the original payment method, but if the card is "
                "closed your bank passes it on to your new one. If it bounces, we'll send you "
                "store credit instead.",
            ),
            (
                "Got the label, thanks. Do I need the original box?",
                "It's been 5 days and still no refund 😕",
            ),
            (
                "No need for the original box: any sturdy packaging works.",
                "I checked with our payments team: the refund (ref {ticket}) left our side on "
                "Tuesday. Could you ask your bank with that reference?",
            ),
            public=False,
            attach=0.15,
            files=(RECEIPT, SCREENSHOT),
            agent_files=(LABEL,),
        ),
        Topic(
            "Damaged item, order {order}",
            (
                "My {item} arrived damaged: the zipper is broken and there's a tear on the "
                "sleeve. Photos attached.",
                "The box was completely crushed and the {item} inside is scratched. Not happy 😡",
                "Received the wrong size. I ordered M and got XL. Order {order}",
            ),
            (
                "I'm so sorry about that, {first}! I've sent a replacement {item} by express "
                "shipping at no cost. You can keep or recycle the damaged one.",
                "That's not the experience we want you to have. Could you send a photo of the "
                "label on the box? I'll open a claim with the carrier right away.",
                "Sorry for the mix-up! I've arranged an exchange for the right size; a prepaid "
                "return label is on its way to your email.",
            ),
            ("Here's the photo of the label.", "Thanks, that was quick!"),
            (
                "Thank you! Claim {ticket} is open and your replacement ships tomorrow.",
                "You're welcome, {first}! Sorry again for the trouble.",
            ),
            shared=True,
            attach=0.6,
            files=(PHOTO, PHOTO, VIDEO),
            agent_files=(LABEL,),
        ),
        Topic(
            "Can't log in to my account",
            (
                "I can't log in to my account, the password reset email never arrives.",
                "How do I delete my account and all my data?",
                "Someone placed an order on my account that I didn't make!! Please help",
            ),
            (
                "Hi {first}, I've resent the reset link: please check your spam folder too. "
                "The link is valid for 30 minutes.",
                "I can help with that. For your security, please confirm the email address on "
                "the account and the postcode of your last delivery.",
                "I've locked the account and cancelled order {order} before it shipped. Please "
                "set a new password with the link we just emailed you.",
            ),
            ("Found it in spam, thanks!", "It's the same email I'm writing from."),
            (
                "Great! Let me know if the link gives you any trouble.",
                "Thanks, verified. Your account and its data will be deleted within 30 days.",
            ),
            public=False,
            attach=0.12,
            files=(SCREENSHOT,),
        ),
        Topic(
            "Opening hours",
            (
                "What time does the {store} store open on Sunday?",
                "Are you open on the public holiday next Monday?",
                "Hi! Is the {store} store wheelchair accessible? 🙂",
            ),
            (
                "Hi {first}! The {store} store is open on Sundays from 10am to 6pm.",
                "We're open 11am-5pm on public holidays at every store except Airport, which "
                "keeps its normal hours.",
                "Yes, {store} has step-free access, a lift to both floors and an accessible "
                "fitting room.",
            ),
            attach=0.0,
        ),
        Topic(
            "Question about the {item}",
            (
                "Does the {item} come in navy? I can only see black on the website.",
                "Is the {item} waterproof or just water resistant?",
                "Do you ship to Canada? And how much are the customs fees?",
                "Does the {item} run small? I'm usually between M and L 🤔",
            ),
            (
                "Hi {first}! Navy is coming back in stock next week. Tap 'notify me' on the "
                "product page and we'll email you the moment it's available.",
                "It's fully waterproof (20,000 mm rating) with taped seams, so you're covered "
                "even in heavy rain ☔",
                "We do ship to Canada! Orders over $150 include duties and taxes, so there's "
                "nothing extra to pay on delivery.",
                "It's a regular fit; if you're between sizes and like to layer, go for the L.",
            ),
            attach=0.07,
            files=(SCREENSHOT, PHOTO),
            agent_files=(GUIDE,),
        ),
        Topic(
            "Complaint about order {order}",
            (
                "I have been a loyal customer for over five years, but this experience has "
                "been really disappointing.\n\nI ordered a {item} for my daughter's birthday, "
                "paid for express delivery, and was promised it would arrive in two days. It "
                "arrived nine days later, after the birthday, and the box was open.\n\nWhen I "
                "called, I waited 45 minutes and was then disconnected. Nobody called me "
                "back.\n\nI would like a refund of the express shipping at the very least, and "
                "an explanation of what happened. Order {order}.",
                "Third time I'm writing about this. Nobody answers. Order {order}, paid "
                "{amount}, nothing received. I want my money back today or I'm disputing the "
                "charge 😤",
            ),
            (
                "Hi {first}, I'm truly sorry: you paid for express delivery and it didn't "
                "arrive in time for the birthday. I've refunded the express shipping and added "
                "a $20 credit to your account. I've also reported the opened box to the "
                "carrier (claim {ticket}).",
                "I'm sorry you've had to chase us, {first}. I've refunded {amount} in full to "
                "your original payment method just now; you'll get a confirmation email "
                "within the hour.",
            ),
            ("Thank you for actually reading it. Appreciated.",),
            ("I've also passed your feedback to our delivery team. Thank you for your patience.",),
            shared=True,
            attach=0.25,
            files=(PHOTO, RECEIPT),
        ),
        Topic(
            "Charged twice for order {order}",
            (
                "I was charged twice for order {order}!",
                "Can I get a VAT invoice for my company? Order {order}",
                "The code WELCOME10 isn't working at checkout",
            ),
            (
                "I see the two charges: one is a pre-authorisation your bank will release "
                "within 5 days. Only one payment of {amount} was taken.",
                "Sure! I've attached the invoice for order {order} with your company details.",
                "That code applies to full-price items only and your basket has a sale item. "
                "I've made you a one-time code, {promo}, that works on everything.",
            ),
            ("Ok, I'll wait and see then.",),
            ("Let me know if the second charge is still there after Friday and I'll escalate.",),
            public=False,
            attach=0.3,
            files=(RECEIPT, SCREENSHOT),
            agent_files=(LABEL,),
        ),
        Topic(
            "Thank you!",
            (
                "Just wanted to say the staff at {store} were amazing today! ❤️",
                "Love my new {item}, best purchase this year 🙌",
                "Shoutout to your support team, problem solved in 5 minutes 👏",
            ),
            (
                "That's so lovely to hear, thank you {first}! I've shared your message with "
                "the {store} team 😊",
                "Thank you {first}! Enjoy it, and tag us in your adventures 🏔️",
                "Thanks {first}, that made our day! 🙌 We'll pass it on to the team.",
            ),
            attach=0.2,
            files=(PHOTO,),
        ),
    ),
    waiting=(
        "Any update?",
        "Hello? Is anyone there?",
        "Sorry, forgot to say: I'm away from Thursday to Sunday.",
        "Also, I need it before the weekend if possible 🙏",
    ),
    followups=(
        "Ok, great",
        "I'll wait then.",
        "Can you please check again?",
        "Thanks.\nOne more thing: can I add a gift message to the order?",
        "Ok. How long will that take roughly?",
    ),
    agent_followups=(
        "I'm still checking with the warehouse and will get back to you within the hour.",
        "Just following up: did you get a chance to look at my previous message?",
        "Happy to help! Is there anything else I can do for you?",
        "Good news: it's sorted. You'll get a confirmation email shortly.",
    ),
    thanks=(
        "Thank you, that's all!",
        "Great, thanks for your help",
        "👍",
        "Perfect, thank you so much 🙏",
    ),
    closings=(
        "You're welcome, {first}! Have a great day 😊",
        "Anytime! Take care, {first}.",
    ),
    short_reply="Sorry about this, {first}! Please DM us your order number so we can help 🙏",
    customer_email="Hello,\n\n{body}\n\nThanks,\n{full}\n\nSent from my iPhone",
    agent_email="Hi {first},\n\n{body}\n\nKind regards,\n{agent}\nAcme Customer Care",
    items=(
        "rain jacket",
        "pair of hiking boots",
        "wool sweater",
        "backpack",
        "pair of running shoes",
        "down vest",
        "fleece hoodie",
        "beanie",
    ),
    amounts=("$84.90", "$129.00", "$39.95", "$249.99", "$64.50"),
)


LANGUAGES: dict[str, Language] = {
    "en": EN,
    "es": simple(
        "Pedido {order}",
        (
            (
                "Hola, hice un pedido hace una semana ({order}) y todavía no me ha llegado. "
                "¿Me podéis decir algo?",
                "Hola {first}, gracias por escribirnos. Tu pedido {order} salió ayer de "
                "nuestro almacén y llegará en 2-3 días laborables. Seguimiento: {tracking}.",
            ),
            (
                "Quiero devolver la {item}, no me queda bien. ¿Cómo lo hago?",
                "¡Claro! Te acabo de enviar por correo una etiqueta de devolución prepagada. "
                "Tienes 30 días para dejar el paquete en cualquier oficina de correos.",
            ),
            (
                "Devolví mi pedido {order} hace dos semanas y aún no he recibido el reembolso 😕",
                "He comprobado tu devolución: el reembolso de {amount} se emitió hoy y lo "
                "verás en tu cuenta en 3-5 días hábiles.",
            ),
            (
                "¿A qué hora abre la tienda de {store} el domingo?",
                "¡Hola {first}! La tienda de {store} abre los domingos de 10:00 a 18:00.",
            ),
        ),
        ("¿Alguna novedad? 🙏", "Sigo sin noticias...", "¿Hola? ¿Hay alguien ahí?"),
        ("Vale, gracias.", "Entendido. ¿Cuánto tardará más o menos?", "Perfecto, espero entonces."),
        (
            "Lo sigo revisando con el almacén y te escribo en cuanto sepa algo.",
            "¡De nada, {first}! ¿Puedo ayudarte en algo más?",
            "Ya está solucionado: te llegará un correo de confirmación en breve.",
        ),
        ("¡Muchas gracias por la ayuda! 😊", "Perfecto, gracias"),
        ("¡A ti, {first}! Que tengas un buen día.",),
        "Hola {first}, lo sentimos. Escríbenos por mensaje directo con tu número de pedido 🙏",
        (
            "Hola:\n\n{body}\n\nUn saludo,\n{full}",
            "Hola {first}:\n\n{body}\n\nUn saludo,\n{agent}\nAtención al cliente de Acme",
        ),
        ("chaqueta impermeable", "mochila", "sudadera"),
        ("84,90 €", "129,00 €", "39,95 €"),
    ),
    "fr": simple(
        "Commande {order}",
        (
            (
                "Bonjour, j'ai passé commande il y a une semaine ({order}) et je n'ai toujours "
                "rien reçu. Pouvez-vous vérifier ?",
                "Bonjour {first}, merci pour votre message. Votre commande {order} a quitté "
                "notre entrepôt hier et arrivera sous 2 à 3 jours ouvrés. Suivi : {tracking}.",
            ),
            (
                "Je voudrais retourner la {item}, la taille ne va pas. Comment faire ?",
                "Bien sûr ! Je viens de vous envoyer une étiquette de retour prépayée par "
                "e-mail. Vous avez 30 jours pour déposer le colis.",
            ),
            (
                "Où en est ma commande {order} ? Le suivi n'a pas bougé depuis 4 jours 📦",
                "Votre colis était bloqué au centre de tri ; il est reparti ce matin. "
                "Livraison prévue vendredi.",
            ),
            (
                "Le magasin de {store} est-il ouvert le dimanche ?",
                "Bonjour {first} ! Le magasin de {store} est ouvert le dimanche de 10 h à 18 h.",
            ),
        ),
        ("Des nouvelles ? 🙏", "Toujours rien reçu...", "Bonjour ? Il y a quelqu'un ?"),
        (
            "D'accord, merci.",
            "Très bien. Ça prendra combien de temps ?",
            "Parfait, j'attends alors.",
        ),
        (
            "Je vérifie encore avec l'entrepôt et je reviens vers vous dès que possible.",
            "Avec plaisir, {first} ! Puis-je vous aider pour autre chose ?",
            "C'est réglé : vous allez recevoir un e-mail de confirmation.",
        ),
        ("Merci beaucoup pour votre aide ! 😊", "Parfait, merci"),
        ("Merci à vous, {first}. Bonne journée !",),
        "Bonjour {first}, désolés ! Envoyez-nous votre numéro de commande en message privé 🙏",
        (
            "Bonjour,\n\n{body}\n\nCordialement,\n{full}",
            "Bonjour {first},\n\n{body}\n\nBien cordialement,\n{agent}\nService client Acme",
        ),
        ("veste imperméable", "doudoune", "polaire"),
        ("84,90 €", "129,00 €", "39,95 €"),
    ),
    "de": simple(
        "Bestellung {order}",
        (
            (
                "Hallo, ich habe vor einer Woche bestellt ({order}) und noch nichts bekommen. "
                "Können Sie nachsehen?",
                "Hallo {first}, danke für Ihre Nachricht. Ihre Bestellung {order} hat gestern "
                "unser Lager verlassen und kommt in 2–3 Werktagen an. Sendungsnummer: "
                "{tracking}.",
            ),
            (
                "Ich möchte die {item} zurückschicken, sie passt nicht. Wie geht das?",
                "Gerne! Ich habe Ihnen gerade ein kostenloses Rücksendeetikett per E-Mail "
                "geschickt. Sie haben 30 Tage Zeit für die Rücksendung.",
            ),
            (
                "Ich habe meine Bestellung {order} vor zwei Wochen zurückgeschickt und noch "
                "keine Erstattung erhalten.",
                "Ihre Rücksendung ist angekommen: Die Erstattung über {amount} wurde heute "
                "veranlasst und ist in 3–5 Werktagen auf Ihrem Konto.",
            ),
            (
                "Hat die Filiale {store} am Sonntag geöffnet?",
                "Hallo {first}! Die Filiale {store} hat sonntags von 10 bis 18 Uhr geöffnet.",
            ),
        ),
        (
            "Gibt es schon Neuigkeiten? 🙏",
            "Immer noch nichts angekommen...",
            "Hallo? Ist da jemand?",
        ),
        ("Okay, danke.", "Alles klar. Wie lange dauert das ungefähr?", "Gut, dann warte ich."),
        (
            "Ich kläre das noch mit dem Lager und melde mich, sobald ich mehr weiß.",
            "Gern geschehen, {first}! Kann ich sonst noch helfen?",
            "Erledigt: Sie bekommen gleich eine Bestätigung per E-Mail.",
        ),
        ("Vielen Dank für die schnelle Hilfe! 😊", "Super, danke"),
        ("Sehr gerne, {first}. Einen schönen Tag noch!",),
        "Hallo {first}, das tut uns leid. Schicken Sie uns Ihre Bestellnummer per DM 🙏",
        (
            "Hallo,\n\n{body}\n\nViele Grüße\n{full}",
            "Hallo {first},\n\n{body}\n\nFreundliche Grüße\n{agent}\nAcme Kundenservice",
        ),
        ("Regenjacke", "Daunenweste", "Fleecejacke"),
        ("84,90 €", "129,00 €", "39,95 €"),
    ),
    "pt": simple(
        "Pedido {order}",
        (
            (
                "Oi, fiz um pedido há uma semana ({order}) e ainda não chegou. Podem verificar?",
                "Olá {first}, obrigado pelo contato! Seu pedido {order} saiu do nosso centro de "
                "distribuição ontem e chega em 2 a 3 dias úteis. Rastreio: {tracking}.",
            ),
            (
                "Quero devolver a {item}, não serviu. Como faço?",
                "Claro! Acabei de enviar por e-mail uma etiqueta de devolução pré-paga. Você "
                "tem 30 dias para postar o pacote.",
            ),
            (
                "Devolvi o pedido {order} há duas semanas e até agora nada do reembolso.",
                "Sua devolução chegou: o reembolso de {amount} foi feito hoje e aparece na sua "
                "conta em 3 a 5 dias úteis.",
            ),
            (
                "A loja do {store} abre no domingo?",
                "Oi {first}! A loja do {store} abre aos domingos das 10h às 18h.",
            ),
        ),
        ("Alguma novidade? 🙏", "Ainda não chegou nada...", "Oi? Tem alguém aí?"),
        ("Ok, obrigado.", "Entendi. Demora mais ou menos quanto tempo?", "Perfeito, vou aguardar."),
        (
            "Ainda estou verificando com o estoque e te aviso assim que tiver novidades.",
            "Por nada, {first}! Posso ajudar em mais alguma coisa?",
            "Pronto, resolvido! Você vai receber um e-mail de confirmação.",
        ),
        ("Muito obrigada pela ajuda! 😊", "Perfeito, valeu!"),
        ("Nós que agradecemos, {first}. Tenha um ótimo dia!",),
        "Oi {first}, sentimos muito! Manda o número do pedido por mensagem direta 🙏",
        (
            "Olá,\n\n{body}\n\nAtenciosamente,\n{full}",
            "Olá {first},\n\n{body}\n\nAtenciosamente,\n{agent}\nAtendimento Acme",
        ),
        ("jaqueta impermeável", "mochila", "blusa de lã"),
        ("R$ 249,90", "R$ 89,90", "R$ 399,00"),
    ),
    "ar": simple(
        "الطلب {order}",
        (
            (
                "مرحباً، طلبت منذ أسبوع (رقم الطلب {order}) ولم يصلني شيء حتى الآن. "
                "هل يمكنكم التحقق؟",
                "مرحباً {first}، شكراً لتواصلك معنا. غادر طلبك {order} المستودع أمس وسيصل "
                "خلال 2-3 أيام عمل. رقم التتبع: {tracking}.",
            ),
            (
                "أريد إرجاع {item} لأن المقاس غير مناسب. كيف أفعل ذلك؟",
                "بالتأكيد! أرسلنا لك ملصق إرجاع مدفوع مسبقاً عبر البريد الإلكتروني. لديك 30 "
                "يوماً لإرسال الطرد.",
            ),
            (
                "هل فرع {store} مفتوح يوم الجمعة؟",
                "مرحباً {first}! فرع {store} مفتوح يوم الجمعة من الساعة 2 ظهراً حتى 10 مساءً.",
            ),
        ),
        ("هل من جديد؟ 🙏", "ما زلت أنتظر الرد..."),
        ("حسناً، شكراً.", "فهمت. كم من الوقت سيستغرق ذلك تقريباً؟"),
        (
            "ما زلت أتابع الأمر مع المستودع وسأعود إليك قريباً.",
            "على الرحب والسعة يا {first}! هل هناك شيء آخر يمكنني مساعدتك به؟",
            "تم حل المشكلة، ستصلك رسالة تأكيد عبر البريد الإلكتروني قريباً.",
        ),
        ("شكراً جزيلاً على المساعدة! 😊",),
        ("شكراً لك يا {first}، نتمنى لك يوماً سعيداً!",),
        "مرحباً {first}، نعتذر عن ذلك. أرسل لنا رقم الطلب في رسالة خاصة وسنساعدك 🙏",
        (
            "مرحباً،\n\n{body}\n\nمع التحية،\n{full}",
            "مرحباً {first}،\n\n{body}\n\nمع أطيب التحيات،\n{agent}\nخدمة عملاء Acme",
        ),
        ("السترة المقاومة للماء", "حقيبة الظهر"),
        ("349 درهم", "129 درهم"),
    ),
    "he": simple(
        "הזמנה {order}",
        (
            (
                "שלום, הזמנתי לפני שבוע (הזמנה {order}) ועדיין לא קיבלתי כלום. אפשר לבדוק?",
                "היי {first}, תודה שפנית אלינו. ההזמנה {order} יצאה מהמחסן אתמול ותגיע תוך "
                "2-3 ימי עסקים. מספר מעקב: {tracking}.",
            ),
            (
                "אני רוצה להחזיר את {item}, המידה לא מתאימה. איך עושים את זה?",
                "בטח! שלחנו לך במייל תווית החזרה בתשלום מראש. יש לך 30 יום לשלוח את החבילה.",
            ),
            (
                "האם סניף {store} פתוח ביום שישי?",
                "היי {first}! סניף {store} פתוח בימי שישי בין 9:00 ל-14:00.",
            ),
        ),
        ("יש חדש? 🙏", "עדיין מחכה לתשובה..."),
        ("אוקיי, תודה.", "הבנתי. כמה זמן זה ייקח בערך?"),
        (
            "אני עדיין בודק מול המחסן ואחזור אליך בהקדם.",
            "בשמחה, {first}! אפשר לעזור במשהו נוסף?",
            "הכול מסודר! תקבל מייל אישור בקרוב.",
        ),
        ("תודה רבה על העזרה! 😊",),
        ("תודה לך, {first}. יום נעים!",),
        "היי {first}, מצטערים על זה. שלח לנו את מספר ההזמנה בהודעה פרטית ונטפל בזה 🙏",
        (
            "שלום,\n\n{body}\n\nתודה,\n{full}",
            "שלום {first},\n\n{body}\n\nבברכה,\n{agent}\nשירות הלקוחות של Acme",
        ),
        ("מעיל הגשם", "התרמיל"),
        ("₪ 329", "₪ 149"),
    ),
    "ja": simple(
        "ご注文 {order} について",
        (
            (
                "こんにちは。1週間前に注文した商品（注文番号 {order}）がまだ届きません。"
                "確認していただけますか？",
                "{last}様、お問い合わせありがとうございます。ご注文 {order} は昨日倉庫から"
                "発送されました。2〜3営業日でお届けの予定です。追跡番号：{tracking}",
            ),
            (
                "{item}を返品したいです。サイズが合いませんでした。",
                "かしこまりました。返品用の伝票をメールでお送りしました。30日以内にご返送ください。",
            ),
            (
                "{store}店は日曜日も営業していますか？",
                "{last}様、{store}店は日曜日も10時から18時まで営業しております。",
            ),
        ),
        ("その後どうなりましたか？🙏", "まだ返信をお待ちしています…"),
        ("わかりました、ありがとうございます。", "承知しました。どのくらいかかりますか？"),
        (
            "引き続き倉庫に確認しております。分かり次第ご連絡いたします。",
            "どういたしまして。ほかにご不明な点はございますか？",
            "対応が完了いたしました。確認メールをお送りしております。",
        ),
        ("ご対応ありがとうございました！😊",),
        ("こちらこそありがとうございました、{last}様。",),
        "{last}様、ご迷惑をおかけして申し訳ございません。DMにてご注文番号をお知らせください🙏",
        (
            "お世話になっております。\n\n{body}\n\n{full}",
            "{last}様\n\n{body}\n\nAcme カスタマーサポート\n{agent}",
        ),
        ("レインジャケット", "リュック", "登山靴"),
        ("12,800円", "6,490円"),
    ),
    "zh": simple(
        "订单 {order}",
        (
            (
                "你好，我一周前下的订单（{order}）到现在还没收到，能帮我查一下吗？",
                "{full}您好，感谢您的咨询。您的订单 {order} 已于昨天从仓库发出，预计2-3个"
                "工作日送达。快递单号：{tracking}。",
            ),
            (
                "我想退货，{item}尺码不合适，请问怎么操作？",
                "好的！我们已通过邮件发送预付退货标签，请在30天内寄回包裹。",
            ),
            ("{store}门店周日营业吗？", "{full}您好！{store}门店周日营业时间为上午10点至下午6点。"),
        ),
        ("有进展了吗？🙏", "还在等回复……"),
        ("好的，谢谢。", "明白了，大概需要多久？"),
        (
            "我还在和仓库确认，有消息会第一时间通知您。",
            "不客气！还有什么可以帮您的吗？",
            "已经处理好了，确认邮件稍后会发到您的邮箱。",
        ),
        ("非常感谢你们的帮助！😊",),
        ("不客气，祝您生活愉快！",),
        "{full}您好，非常抱歉给您带来不便。请私信发送订单号，我们马上处理🙏",
        ("你好，\n\n{body}\n\n{full}", "{full}您好：\n\n{body}\n\nAcme 客服\n{agent}"),
        ("冲锋衣", "双肩包", "登山鞋"),
        ("¥599", "¥1,299"),
    ),
    "hi": simple(
        "ऑर्डर {order}",
        (
            (
                "नमस्ते, मैंने एक हफ्ते पहले ऑर्डर किया था ({order}) लेकिन अभी तक नहीं मिला। कृपया चेक करें।",
                "नमस्ते {first}, संपर्क करने के लिए धन्यवाद। आपका ऑर्डर {order} कल वेयरहाउस से "
                "निकल गया है और 2-3 कार्यदिवसों में पहुँच जाएगा। ट्रैकिंग नंबर: {tracking}",
            ),
            (
                "मुझे {item} वापस करना है, साइज़ सही नहीं है। क्या करना होगा?",
                "ज़रूर! हमने आपको ईमेल पर प्रीपेड रिटर्न लेबल भेज दिया है। आप 30 दिनों के अंदर पार्सल भेज सकते हैं।",
            ),
            (
                "क्या {store} स्टोर रविवार को खुला रहता है?",
                "नमस्ते {first}! {store} स्टोर रविवार को सुबह 10 बजे से शाम 6 बजे तक खुला रहता है।",
            ),
        ),
        ("कोई अपडेट? 🙏", "मैं अभी भी जवाब का इंतज़ार कर रहा हूँ..."),
        ("ठीक है, धन्यवाद।", "समझ गया। इसमें लगभग कितना समय लगेगा?"),
        (
            "मैं अभी भी वेयरहाउस से पता कर रहा हूँ, जानकारी मिलते ही बताऊँगा।",
            "आपका स्वागत है, {first}! क्या मैं और कुछ मदद कर सकता हूँ?",
            "हो गया! आपको जल्द ही पुष्टि का ईमेल मिल जाएगा।",
        ),
        ("मदद के लिए बहुत-बहुत धन्यवाद! 😊",),
        ("धन्यवाद {first}, आपका दिन शुभ हो!",),
        "नमस्ते {first}, असुविधा के लिए खेद है। कृपया अपना ऑर्डर नंबर DM करें 🙏",
        (
            "नमस्ते,\n\n{body}\n\nधन्यवाद,\n{full}",
            "नमस्ते {first},\n\n{body}\n\nसादर,\n{agent}\nAcme ग्राहक सेवा",
        ),
        ("रेन जैकेट", "बैकपैक"),
        ("₹4,999", "₹1,299"),
    ),
    "ru": simple(
        "Заказ {order}",
        (
            (
                "Здравствуйте! Неделю назад оформила заказ {order}, а он до сих пор не пришёл. "
                "Можете проверить?",
                "Здравствуйте, {first}! Спасибо за обращение. Ваш заказ {order} вчера "
                "отправлен со склада и будет доставлен за 2–3 рабочих дня. Трек-номер: "
                "{tracking}.",
            ),
            (
                "Хочу вернуть {item}, не подошёл размер. Как это сделать?",
                "Конечно! Мы отправили вам на почту предоплаченную этикетку для возврата. "
                "Отправить посылку можно в течение 30 дней.",
            ),
            (
                "Магазин {store} работает в воскресенье?",
                "Здравствуйте, {first}! Магазин {store} работает в воскресенье с 10:00 до 18:00.",
            ),
        ),
        ("Есть новости? 🙏", "Всё ещё жду ответа..."),
        ("Хорошо, спасибо.", "Понятно. Сколько примерно это займёт?"),
        (
            "Я ещё уточняю на складе и напишу, как только что-то узнаю.",
            "Пожалуйста, {first}! Могу ли я ещё чем-то помочь?",
            "Готово! Подтверждение придёт вам на почту в ближайшее время.",
        ),
        ("Большое спасибо за помощь! 😊",),
        ("Спасибо вам, {first}! Хорошего дня!",),
        "Здравствуйте, {first}! Приносим извинения. Напишите номер заказа в личные сообщения 🙏",
        (
            "Здравствуйте!\n\n{body}\n\nС уважением,\n{full}",
            "Здравствуйте, {first}!\n\n{body}\n\nС уважением,\n{agent}\nСлужба поддержки Acme",
        ),
        ("куртку", "рюкзак", "ботинки"),
        ("5 990 ₽", "12 490 ₽"),
    ),
}
