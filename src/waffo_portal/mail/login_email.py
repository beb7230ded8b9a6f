"""The login-link email: plain text + HTML, in the buyer's language.

The strings live here rather than in gettext catalogues because the web layer's catalogues
are owned elsewhere and this email must work on its own; five short strings per locale.
Both bodies are jinja2 templates; the HTML one is autoescaped, so a merchant name such as
``<b>`` is shown, never interpreted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

import jinja2

from ..config import SUPPORTED_LOCALES, Branding
from .message import EmailMessage

_KEYS = ("subject", "greeting", "intro", "button", "expires", "ignore")
_RTL = frozenset({"ar"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# subject, greeting, intro, button, expires, ignore. {merchant} and {minutes} are filled in.
_STRINGS: dict[str, tuple[str, ...]] = {
    "en": ("Your sign-in link for {merchant}", "Hello,",
           "Use the link below to sign in to your {merchant} billing portal.", "Sign in",
           "This link expires in {minutes} minutes and can be used once.",
           "If you did not ask for this, you can ignore this email."),
    "zh-Hans": ("您的 {merchant} 登录链接", "您好，",
                "请使用下面的链接登录 {merchant} 账单门户。", "登录",
                "此链接将在 {minutes} 分钟后失效，且只能使用一次。",
                "如果这不是您本人的请求，请忽略此邮件。"),
    "zh-Hant": ("您的 {merchant} 登入連結", "您好，",
                "請使用下方連結登入 {merchant} 帳單入口網站。", "登入",
                "此連結將於 {minutes} 分鐘後失效，且只能使用一次。",
                "如果這不是您本人提出的要求，請忽略此郵件。"),
    "ja": ("{merchant} のログインリンク", "こんにちは。",
           "下のリンクから {merchant} の請求ポータルにログインしてください。", "ログイン",
           "このリンクの有効期限は {minutes} 分で、一度だけ使用できます。",
           "このメールに心当たりがない場合は、無視してください。"),
    "ko": ("{merchant} 로그인 링크", "안녕하세요,",
           "아래 링크를 사용하여 {merchant} 결제 포털에 로그인하세요.", "로그인",
           "이 링크는 {minutes}분 후에 만료되며 한 번만 사용할 수 있습니다.",
           "요청하지 않으셨다면 이 이메일을 무시하셔도 됩니다."),
    "th": ("ลิงก์เข้าสู่ระบบ {merchant} ของคุณ", "สวัสดี",
           "ใช้ลิงก์ด้านล่างเพื่อเข้าสู่พอร์ทัลการเรียกเก็บเงินของ {merchant}", "เข้าสู่ระบบ",
           "ลิงก์นี้จะหมดอายุใน {minutes} นาทีและใช้ได้เพียงครั้งเดียว",
           "หากคุณไม่ได้ขอลิงก์นี้ โปรดละเว้นอีเมลฉบับนี้"),
    "vi": ("Liên kết đăng nhập {merchant} của bạn", "Xin chào,",
           "Hãy dùng liên kết bên dưới để đăng nhập vào cổng thanh toán {merchant}.",
           "Đăng nhập", "Liên kết này hết hạn sau {minutes} phút và chỉ dùng được một lần.",
           "Nếu bạn không yêu cầu, hãy bỏ qua email này."),
    "id": ("Tautan masuk {merchant} Anda", "Halo,",
           "Gunakan tautan di bawah untuk masuk ke portal tagihan {merchant}.", "Masuk",
           "Tautan ini kedaluwarsa dalam {minutes} menit dan hanya dapat digunakan sekali.",
           "Jika Anda tidak memintanya, abaikan email ini."),
    "ms": ("Pautan log masuk {merchant} anda", "Helo,",
           "Gunakan pautan di bawah untuk log masuk ke portal bil {merchant}.", "Log masuk",
           "Pautan ini tamat tempoh dalam {minutes} minit dan hanya boleh digunakan sekali.",
           "Jika anda tidak memintanya, abaikan e-mel ini."),
    "es": ("Tu enlace de acceso a {merchant}", "Hola:",
           "Usa el enlace de abajo para acceder a tu portal de facturación de {merchant}.",
           "Iniciar sesión",
           "Este enlace caduca en {minutes} minutos y solo se puede usar una vez.",
           "Si no lo has solicitado, ignora este correo."),
    "pt-BR": ("Seu link de acesso a {merchant}", "Olá,",
              "Use o link abaixo para entrar no seu portal de cobrança de {merchant}.",
              "Entrar", "Este link expira em {minutes} minutos e só pode ser usado uma vez.",
              "Se você não solicitou este e-mail, pode ignorá-lo."),
    "fr": ("Votre lien de connexion à {merchant}", "Bonjour,",
           "Utilisez le lien ci-dessous pour vous connecter à votre portail de facturation "
           "{merchant}.", "Se connecter",
           "Ce lien expire dans {minutes} minutes et ne peut être utilisé qu’une seule fois.",
           "Si vous n’êtes pas à l’origine de cette demande, ignorez cet e-mail."),
    "de": ("Ihr Anmeldelink für {merchant}", "Hallo,",
           "Melden Sie sich über den folgenden Link in Ihrem Abrechnungsportal bei {merchant} an.",
           "Anmelden",
           "Dieser Link läuft in {minutes} Minuten ab und kann nur einmal verwendet werden.",
           "Falls Sie dies nicht angefordert haben, ignorieren Sie diese E-Mail."),
    "ru": ("Ваша ссылка для входа в {merchant}", "Здравствуйте!",
           "Перейдите по ссылке ниже, чтобы войти в платёжный кабинет {merchant}.", "Войти",
           # "мин." sidesteps Russian plural forms
           "Ссылка действительна {minutes} мин. и может быть использована только один раз.",
           "Если вы не запрашивали вход, просто проигнорируйте это письмо."),
    "pl": ("Twój link logowania do {merchant}", "Dzień dobry,",
           "Użyj poniższego linku, aby zalogować się do portalu rozliczeń {merchant}.",
           "Zaloguj się", "Link wygaśnie za {minutes} min i można go użyć tylko raz.",
           "Jeśli nie prosiłeś(-aś) o ten link, zignoruj tę wiadomość."),
    "tr": ("{merchant} giriş bağlantınız", "Merhaba,",
           "{merchant} fatura portalınıza giriş yapmak için aşağıdaki bağlantıyı kullanın.",
           "Giriş yap",
           "Bu bağlantının süresi {minutes} dakika içinde dolar ve yalnızca bir kez "
           "kullanılabilir.", "Bunu siz istemediyseniz bu e-postayı yok sayabilirsiniz."),
    "ar": ("رابط تسجيل الدخول إلى {merchant}", "مرحبًا،",
           "استخدم الرابط أدناه لتسجيل الدخول إلى بوابة الفوترة لدى {merchant}.",
           "تسجيل الدخول",
           "تنتهي صلاحية هذا الرابط خلال {minutes} دقيقة ويمكن استخدامه مرة واحدة فقط.",
           "إذا لم تطلب ذلك، فتجاهل هذه الرسالة."),
}

# Browser-style tags the request may carry, mapped onto our 17 locales.
_ALIASES = {"zh": "zh-Hans", "zh-cn": "zh-Hans", "zh-sg": "zh-Hans", "zh-tw": "zh-Hant",
            "zh-hk": "zh-Hant", "zh-mo": "zh-Hant", "pt": "pt-BR", "in": "id"}


def resolve_locale(candidates: Iterable[str | None], default: str = "en") -> str:
    """The first candidate we have strings for (exact, case-insensitive or by language)."""
    by_lower = {code.lower(): code for code in SUPPORTED_LOCALES}
    for candidate in candidates:
        if not candidate:
            continue
        tag = candidate.strip().replace("_", "-").lower()
        for option in (tag, tag.split("-", 1)[0]):
            found = by_lower.get(option) or _ALIASES.get(option)
            if found is not None:
                return found
    return default if default in _STRINGS else "en"


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("waffo_portal.mail", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",),
                                            disabled_extensions=("txt",),
                                            default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
    )


def _one_line(text: str) -> str:
    """Header-safe: a merchant name must never inject CR/LF into the subject."""
    return _CONTROL.sub(" ", text).strip()


def login_email(to: str, locale: str, link: str, minutes: int,
                branding: Branding) -> EmailMessage:
    lang = locale if locale in _STRINGS else "en"
    merchant = _one_line(branding.name)
    strings = {key: text.format(merchant=merchant, minutes=minutes)
               for key, text in zip(_KEYS, _STRINGS[lang], strict=True)}
    env = _environment()
    context = {"t": strings, "link": link, "merchant": merchant, "lang": lang,
               "direction": "rtl" if lang in _RTL else "ltr",
               "color": branding.primary_color, "subject": strings["subject"]}
    # Plain text is not HTML: render it without escaping so "&" in a link stays "&".
    text = env.get_template("login_link.txt").render(context)
    html = env.get_template("login_link.html").render(context)
    return EmailMessage(to=to, subject=_one_line(strings["subject"]), text=text, html=html,
                        headers=(("Auto-Submitted", "auto-generated"),))
