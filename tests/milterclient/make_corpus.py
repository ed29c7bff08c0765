#!/usr/bin/python3
"""make_corpus.py DIR — writes the benchmark message corpus into DIR.

The messages are fixed (the attachment bytes come from a seeded generator), so
rerunning it reproduces the committed files byte for byte. Mix: short plain
text, an HTML newsletter in quoted-printable, a multipart message with a
~200 KB base64 attachment, UTF-8 8-bit text, and a phishing-like message.
"""
import base64
import random
import sys
import textwrap

PLAIN = """\
Return-Path: <user1@example.com>
From: Alice Martin <alice@example.com>
To: Bob Chen <bob@partner.example>
Subject: Re: meeting on Thursday
Date: Mon, 23 Nov 2026 09:12:44 +0100
Message-ID: <20261123091244.1a2b@example.com>
In-Reply-To: <9f8e7d@partner.example>
References: <9f8e7d@partner.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit

Hi Bob,

Thursday at 10:00 works for me. I will bring the draft contract and the
figures for the third quarter. Could you book the small meeting room?

Thanks,
Alice

> Are you free on Thursday morning to go through the contract?
> Bob
"""

NEWSLETTER_HTML = """\
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Example Outdoor News</title>
<style>body{font-family:Arial,sans-serif;color:#333} .btn{background:#2a7ae2;color:#fff;padding:10px 18px;border-radius:4px;text-decoration:none}</style>
</head><body>
<table width="600" cellpadding="0" cellspacing="0" border="0" align="center">
<tr><td><img src="https://news.example.com/img/header.png" alt="Example Outdoor" width="600" height="120"></td></tr>
<tr><td><h1>Winter collection is here</h1>
<p>Dear subscriber, our new winter jackets, boots and gloves are now in stock. As a member you get <b>15% off</b> until the end of the month with the code WINTER15.</p>
<p><a class="btn" href="https://news.example.com/c/winter?utm_source=newsletter&utm_medium=email">Shop the collection</a></p>
<h2>Trail of the month</h2>
<p>The ridge walk above the lake: 14 km, 650 m of climbing, best done early in the morning when the fog lifts from the valley.</p>
<p style="font-size:11px;color:#999">You receive this e-mail because you subscribed at example.com. <a href="https://news.example.com/unsubscribe?id=8812731">Unsubscribe</a> | <a href="https://news.example.com/privacy">Privacy</a></p>
</td></tr></table></body></html>
"""

NEWSLETTER_TEXT = """\
Winter collection is here

Dear subscriber, our new winter jackets, boots and gloves are now in stock.
As a member you get 15% off until the end of the month with the code WINTER15.

Shop the collection: https://news.example.com/c/winter

Unsubscribe: https://news.example.com/unsubscribe?id=8812731
"""

UTF8 = """\
From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.com>
To: =?UTF-8?B?w4lsb2RpZSBEdXBvbnQ=?= <elodie@partner.example>
Subject: =?UTF-8?Q?R=C3=A9union_=C3=A0_Z=C3=BCrich_=E2=80=93_pr=C3=A9paration?=
Date: Mon, 23 Nov 2026 11:03:10 +0100
Message-ID: <5c1d2e3f.utf8@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8; format=flowed
Content-Transfer-Encoding: 8bit

Bonjour Élodie,

voici l'ordre du jour pour la réunion à Zürich : budget 2027, révision des
contrats fournisseurs, et le déménagement du bureau de Genève.

Grüße aus München — bis nächste Woche!
Jürgen

P.S. 東京のチームも参加します。Кто-то из Москвы тоже будет. 🙂
"""

PHISH_HTML = """\
<html><body>
<p>Dear Customer,</p>
<p>We detected unusual sign-in activity on your account. For your security your
account has been <b>temporarily suspended</b>. You must verify your identity
within 24 hours or your account will be permanently closed.</p>
<p><a href="http://198.51.100.23/secure/login.php?session=83kd92">https://www.paypal.com/signin</a></p>
<p>Failure to verify will result in the loss of your funds.</p>
<p>Thank you,<br>Account Security Team</p>
</body></html>
"""



def newsletter():
    import quopri
    html = quopri.encodestring(NEWSLETTER_HTML.encode()).decode()
    txt = quopri.encodestring(NEWSLETTER_TEXT.encode()).decode()
    return f"""\
From: Example Outdoor <news@example.com>
To: subscriber@dest.example
Subject: Winter collection is here - 15% off for members
Date: Mon, 23 Nov 2026 07:30:00 +0000
Message-ID: <nl-2026-11-23.8812731@news.example.com>
List-Unsubscribe: <https://news.example.com/unsubscribe?id=8812731>,
 <mailto:unsubscribe-8812731@news.example.com>
List-Unsubscribe-Post: List-Unsubscribe=One-Click
Precedence: bulk
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="=_alt_5f3c"

--=_alt_5f3c
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

{txt}
--=_alt_5f3c
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

{html}
--=_alt_5f3c--
"""


def attachment():
    rng = random.Random(20261123)
    data = b"%PDF-1.4\n" + bytes(rng.getrandbits(8) for _ in range(200 * 1024))
    b64 = "\n".join(textwrap.wrap(base64.b64encode(data).decode(), 76))
    return f"""\
From: Carol Diaz <carol@example.com>
To: accounts@partner.example
Cc: dave@example.com
Subject: Invoice 2026-1187 and signed contract
Date: Mon, 23 Nov 2026 14:20:05 +0100
Message-ID: <inv-2026-1187.7731@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_mix_91ab"

--=_mix_91ab
Content-Type: text/plain; charset=us-ascii

Hello,

please find attached invoice 2026-1187 together with the signed contract.
Payment terms are 30 days net.

Best regards,
Carol Diaz
Accounting

--=_mix_91ab
Content-Type: application/pdf; name="invoice-2026-1187.pdf"
Content-Disposition: attachment; filename="invoice-2026-1187.pdf"
Content-Transfer-Encoding: base64

{b64}
--=_mix_91ab--
"""


def phishing():
    return f"""\
From: "PayPal Security" <service@paypa1-security.example>
Reply-To: verify@account-check.example
To: customer@dest.example
Subject: =?UTF-8?Q?Urgent:_Your_account_has_been_suspended_=E2=9A=A0?=
Date: Mon, 23 Nov 2026 03:14:15 +0000
Message-ID: <a8f7e6d5c4@paypa1-security.example>
MIME-Version: 1.0
Content-Type: text/html; charset=us-ascii
Content-Transfer-Encoding: 7bit
X-Priority: 1

{PHISH_HTML}"""


def main():
    out = sys.argv[1]
    files = {
        "01-plain.eml": PLAIN,
        "02-newsletter-qp.eml": newsletter(),
        "03-attachment-200k.eml": attachment(),
        "04-utf8-8bit.eml": UTF8,
        "05-phishing.eml": phishing(),
    }
    for name, text in files.items():
        with open(f"{out}/{name}", "w", encoding="utf-8", newline="\n") as f:
            f.write(text)


if __name__ == "__main__":
    main()
