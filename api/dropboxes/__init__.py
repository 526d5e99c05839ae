"""Drop boxes: members make drop links for a space (`links.py`), people without an account
deposit files through them (`deposits.py`, anonymous, rate-limited per link and per address),
optionally confirming their e-mail address by a mailed code (`email_codes.py`).

The server stores what it cannot open: each link's descriptor (sealed under the workspace key)
and depositor info (sealed under a key from the link's secret, which never reaches it), each
deposit sealed to the link's drop key, and the deposit's blocks. It keeps the verify key of
the link's deposit signatures, so it refuses deposits not made with the link (and its
password), and cannot make one that members' browsers would accept.
"""
