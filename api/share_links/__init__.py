"""Download links (issue 23, item 2): a member shares file versions with someone who has no
account. The link's secret stays in the URL's fragment; the server keeps the link's workspace,
sharer, expiry and download counts, the verifier of its access proof, its password header, and
sealed parts it cannot open (pycrypto_wasm/workspace/share_links.py).

`lifecycle` owns how a link ends (expired, exhausted, revoked) and the sharer's alert;
`routes` the members' side (create, list with the access list, revoke); `public` the
recipient's side (anonymous: the link's state, opening it with the proof, download tickets,
reading its blocks), rate-limited per client address and, for wrong passwords, per link.
"""
