"""The inbox's text catalogue: key -> {"id": Bahasa Indonesia, "en": English}.

Bahasa Indonesia is the reference language; an entry without "en" falls back to it. Parameters
use `str.format` names (`{count}`); values are escaped by the template, so no entry holds markup.
A test checks that every key a template or `inbox/` module uses is here.
"""

from __future__ import annotations

CATALOGUE: dict[str, dict[str, str]] = {
    # -- frame ----------------------------------------------------------------------------------
    "app.name": {"id": "Layanan Pengaduan Dukcapil", "en": "Dukcapil complaints desk"},
    "nav.skip": {"id": "Langsung ke isi", "en": "Skip to content"},
    "nav.inbox": {"id": "Kotak masuk", "en": "Inbox"},
    "nav.signed_in_as": {"id": "Masuk sebagai", "en": "Signed in as"},
    "nav.all_offices": {"id": "Semua kantor", "en": "All offices"},
    "nav.logout": {"id": "Keluar", "en": "Sign out"},
    "nav.language": {"id": "Bahasa", "en": "Language"},
    "lang.id": {"id": "Bahasa Indonesia", "en": "Bahasa Indonesia"},
    "lang.en": {"id": "English", "en": "English"},
    # -- login ----------------------------------------------------------------------------------
    "login.title": {"id": "Masuk", "en": "Sign in"},
    "login.intro": {
        "id": "Masuk untuk menjawab pengaduan warga.",
        "en": "Sign in to answer citizens' complaints.",
    },
    "login.username": {"id": "Nama pengguna", "en": "Username"},
    "login.password": {"id": "Kata sandi", "en": "Password"},
    "login.submit": {"id": "Masuk", "en": "Sign in"},
    "login.failed": {
        "id": "Nama pengguna atau kata sandi salah.",
        "en": "Wrong username or password.",
    },
    "login.throttled": {
        "id": "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {minutes} menit.",
        "en": "Too many failed sign-in attempts. Try again in {minutes} minutes.",
    },
    # -- ticket list ----------------------------------------------------------------------------
    "list.title": {"id": "Kotak masuk", "en": "Inbox"},
    "list.filters": {"id": "Saring tiket", "en": "Filter tickets"},
    "list.office": {"id": "Kantor", "en": "Office"},
    "list.status": {"id": "Status", "en": "Status"},
    "list.channel": {"id": "Kanal", "en": "Channel"},
    "list.q": {"id": "Cari", "en": "Search"},
    "list.q_hint": {
        "id": "Nomor register, nama, nomor WA, perihal",
        "en": "Register number, name, WhatsApp number, subject",
    },
    "list.apply": {"id": "Terapkan", "en": "Apply"},
    "list.reset": {"id": "Hapus saringan", "en": "Clear filters"},
    "list.any": {"id": "Semua", "en": "All"},
    "list.active": {"id": "Aktif", "en": "Active"},
    "list.next": {"id": "Berikutnya", "en": "Next"},
    "nav.events": {"id": "Kiriman masuk", "en": "Inbound events"},
    "events.title": {"id": "Kiriman masuk dari platform", "en": "Inbound events from platforms"},
    "events.intro": {
        "id": "Setiap kiriman platform disimpan sebelum dijawab. Yang tidak terbaca, untuk akun "
        "yang tidak dikenal, atau gagal diproses tampil di sini dan dapat diproses ulang.",
        "en": "Every platform delivery is stored before it is acknowledged. Those that could not "
        "be read, were for an unknown account, or failed to process are listed here and can be "
        "replayed.",
    },
    "events.problems": {"id": "Bermasalah", "en": "Problems"},
    "events.status.pending": {"id": "Menunggu", "en": "Pending"},
    "events.status.processed": {"id": "Diproses", "en": "Processed"},
    "events.status.rejected": {"id": "Tidak terbaca", "en": "Unreadable"},
    "events.status.unrouted": {"id": "Akun tidak dikenal", "en": "Unknown account"},
    "events.status.failed": {"id": "Gagal", "en": "Failed"},
    "events.attempts": {"id": "{n} kali dicoba", "en": "{n} attempts"},
    "events.body": {"id": "Isi mentah", "en": "Raw body"},
    "events.replay": {"id": "Proses ulang", "en": "Replay"},
    "events.none": {"id": "Tidak ada kiriman bermasalah.", "en": "No problem events."},
    "list.first": {"id": "Kembali ke awal", "en": "Back to the start"},
    "list.unread": {"id": "Pesan warga belum dibalas", "en": "Citizen's message not answered yet"},
    "list.no_subject": {"id": "(tanpa perihal)", "en": "(no subject)"},
    "list.last_activity": {"id": "Aktivitas terakhir", "en": "Last activity"},
    "list.empty": {
        "id": "Tidak ada tiket aktif. Pesan warga dari WhatsApp dan kanal lain muncul di sini.",
        "en": "No active tickets. Citizens' messages from WhatsApp and other channels appear here.",
    },
    "list.empty_filtered": {
        "id": "Tidak ada tiket yang cocok dengan saringan ini.",
        "en": "No ticket matches these filters.",
    },
    "list.count": {"id": "{count} tiket di halaman ini", "en": "{count} tickets on this page"},
    # -- ticket page ----------------------------------------------------------------------------
    "ticket.back": {"id": "Kembali ke kotak masuk", "en": "Back to the inbox"},
    "ticket.register_no": {"id": "Nomor register", "en": "Register number"},
    "ticket.contact": {"id": "Pelapor", "en": "Citizen"},
    "ticket.identities": {"id": "Identitas", "en": "Identities"},
    "ticket.channel": {"id": "Kanal", "en": "Channel"},
    "ticket.office": {"id": "Kantor", "en": "Office"},
    "ticket.created": {"id": "Dibuat", "en": "Opened"},
    "ticket.assignee": {"id": "Petugas", "en": "Assignee"},
    "ticket.unassigned": {"id": "Belum ada", "en": "Nobody yet"},
    "ticket.no_name": {"id": "(tanpa nama)", "en": "(no name)"},
    "ticket.timeline": {"id": "Percakapan", "en": "Conversation"},
    "ticket.timeline_empty": {"id": "Belum ada pesan.", "en": "No messages yet."},
    "ticket.reply": {"id": "Balas warga", "en": "Reply to the citizen"},
    "ticket.reply_label": {
        "id": "Balasan (dikirim lewat {channel})",
        "en": "Reply (sent via {channel})",
    },
    "ticket.reply_send": {"id": "Kirim balasan", "en": "Send reply"},
    "ticket.reply_hint": {
        "id": "Paling banyak {max} karakter. Ctrl+Enter untuk mengirim.",
        "en": "At most {max} characters. Ctrl+Enter sends.",
    },
    "ticket.no_channel": {
        "id": "Tiket ini tidak punya kanal untuk membalas.",
        "en": "This ticket has no channel to reply on.",
    },
    "ticket.note": {"id": "Catatan internal", "en": "Internal note"},
    "ticket.note_label": {
        "id": "Catatan (hanya terlihat oleh petugas, tidak dikirim ke warga)",
        "en": "Note (seen by staff only, never sent to the citizen)",
    },
    "ticket.note_send": {"id": "Simpan catatan", "en": "Save note"},
    "ticket.sending": {"id": "Mengirim…", "en": "Sending…"},
    # -- form errors ----------------------------------------------------------------------------
    "form.empty": {"id": "Isi pesan masih kosong.", "en": "The message is empty."},
    "form.reply_too_long": {
        "id": "Balasan terlalu panjang: {length} karakter, paling banyak {max}.",
        "en": "The reply is too long: {length} characters, at most {max}.",
    },
    "form.note_too_long": {
        "id": "Catatan terlalu panjang: {length} karakter, paling banyak {max}.",
        "en": "The note is too long: {length} characters, at most {max}.",
    },
    "form.no_channel": {
        "id": "Tiket ini tidak punya kanal untuk membalas.",
        "en": "This ticket has no channel to reply on.",
    },
    # -- timeline -------------------------------------------------------------------------------
    "msg.internal": {"id": "Catatan internal", "en": "Internal note"},
    "msg.subject": {"id": "Perihal: {subject}", "en": "Subject: {subject}"},
    "msg.show_full_text": {
        "id": "Tampilkan pesan lengkap (kutipan dan tanda tangan)",
        "en": "Show the whole message (quotes and signature)",
    },
    "msg.citizen": {"id": "Warga", "en": "Citizen"},
    "msg.staff": {"id": "Petugas", "en": "Staff"},
    "msg.system": {"id": "Sistem", "en": "System"},
    "msg.forwarded": {"id": "Diteruskan", "en": "Forwarded"},
    "msg.quoted": {"id": "Membalas pesan", "en": "Replying to a message"},
    "msg.quoted_text": {"id": "Membalas: {text}", "en": "Replying to: {text}"},
    "msg.reaction": {"id": "bereaksi {emoji} pada pesan", "en": "reacted {emoji} to a message"},
    "msg.reaction_on": {
        "id": "bereaksi {emoji} pada pesan: {text}",
        "en": "reacted {emoji} to: {text}",
    },
    "msg.reaction_removed": {"id": "menghapus reaksinya", "en": "removed their reaction"},
    "msg.unsupported": {"id": "Jenis pesan tidak didukung", "en": "Unsupported message type"},
    "msg.unsupported_type": {"id": "jenis: {type}", "en": "type: {type}"},
    "msg.location": {"id": "Lokasi", "en": "Location"},
    "msg.location_map": {
        "id": "Buka di peta (OpenStreetMap)",
        "en": "Open on a map (OpenStreetMap)",
    },
    "msg.contacts": {"id": "Kontak yang dibagikan", "en": "Shared contacts"},
    "msg.button_reply": {"id": "Memilih: {text}", "en": "Chose: {text}"},
    "msg.voice": {"id": "Pesan suara", "en": "Voice message"},
    "msg.open_file": {"id": "Buka {name}", "en": "Open {name}"},
    "msg.image_alt": {"id": "Gambar dari warga", "en": "Image from the citizen"},
    "msg.attachment_pending": {"id": "Lampiran sedang diunduh…", "en": "Attachment downloading…"},
    "msg.attachment_refused": {
        "id": "Lampiran ditolak: {reason}",
        "en": "Attachment refused: {reason}",
    },
    "msg.attachment_failed": {
        "id": "Lampiran gagal diunduh: {reason}",
        "en": "Attachment could not be downloaded: {reason}",
    },
    "msg.technical": {"id": "Rincian teknis", "en": "Technical details"},
    "msg.retry": {"id": "Coba lagi", "en": "Try again"},
    "msg.retrying": {"id": "Akan dicoba lagi: {reason}", "en": "Will retry: {reason}"},
    "msg.failed": {"id": "Gagal terkirim: {reason}", "en": "Not sent: {reason}"},
    # -- labels: ticket status ------------------------------------------------------------------
    "status.new": {"id": "Baru", "en": "New"},
    "status.open": {"id": "Diproses", "en": "In progress"},
    "status.waiting": {"id": "Menunggu warga", "en": "Waiting for citizen"},
    "status.resolved": {"id": "Selesai", "en": "Resolved"},
    "status.closed": {"id": "Ditutup", "en": "Closed"},
    # -- labels: message (delivery) status ------------------------------------------------------
    "mstatus.received": {"id": "Masuk", "en": "Received"},
    "mstatus.queued": {"id": "Dalam antrean", "en": "Queued"},
    "mstatus.sent": {"id": "Terkirim", "en": "Sent"},
    "mstatus.delivered": {"id": "Sampai", "en": "Delivered"},
    "mstatus.read": {"id": "Dibaca", "en": "Read"},
    "mstatus.failed": {"id": "Gagal", "en": "Failed"},
    # -- labels: channels -----------------------------------------------------------------------
    "channel.whatsapp": {"id": "WhatsApp", "en": "WhatsApp"},
    "channel.facebook": {"id": "Facebook", "en": "Facebook"},
    "channel.instagram": {"id": "Instagram", "en": "Instagram"},
    "channel.email": {"id": "Surel", "en": "Email"},
    "channel.telegram": {"id": "Telegram", "en": "Telegram"},
    "channel.sp4n_lapor": {"id": "SP4N-LAPOR!", "en": "SP4N-LAPOR!"},
    # -- labels: content kinds ------------------------------------------------------------------
    "kind.text": {"id": "Teks", "en": "Text"},
    "kind.image": {"id": "Gambar", "en": "Image"},
    "kind.document": {"id": "Dokumen", "en": "Document"},
    "kind.audio": {"id": "Audio", "en": "Audio"},
    "kind.video": {"id": "Video", "en": "Video"},
    "kind.sticker": {"id": "Stiker", "en": "Sticker"},
    "kind.location": {"id": "Lokasi", "en": "Location"},
    "kind.contacts": {"id": "Kontak", "en": "Contacts"},
    "kind.interactive": {"id": "Pilihan tombol", "en": "Button reply"},
    "kind.reaction": {"id": "Reaksi", "en": "Reaction"},
    "kind.unsupported": {"id": "Tidak didukung", "en": "Unsupported"},
    # -- failed replies: explanations by error code (see inbox.i18n.ERROR_KEYS) ----------------
    "error.window_closed": {
        "id": "Jendela 24 jam WhatsApp sudah tertutup: warga harus mengirim pesan dulu, "
        "atau gunakan templat (segera)",
        "en": "WhatsApp's 24-hour window is closed: the citizen must write first, "
        "or use a template (coming soon)",
    },
    "error.token": {
        "id": "Token akses kanal kedaluwarsa — hubungi superuser",
        "en": "The channel's access token has expired — contact a superuser",
    },
    "error.permission": {
        "id": "Aplikasi tidak punya izin mengirim dari kanal ini — hubungi superuser",
        "en": "The app lacks permission to send from this channel — contact a superuser",
    },
    "error.rate_limit": {
        "id": "Batas kiriman platform; akan dicoba lagi",
        "en": "Platform sending limit reached; will retry",
    },
    "error.unreachable": {
        "id": "Platform tidak dapat dihubungi; akan dicoba lagi",
        "en": "The platform cannot be reached; will retry",
    },
    "error.undeliverable": {
        "id": "Pesan tidak dapat diantar: nomor ini mungkin tidak memakai WhatsApp "
        "atau aplikasinya terlalu lama",
        "en": "Undeliverable: the number may not use WhatsApp or runs an outdated app",
    },
    "error.ecosystem": {
        "id": "WhatsApp menahan pesan ini untuk menjaga kualitas layanan; coba lagi nanti",
        "en": "WhatsApp held this message back to protect its ecosystem; try again later",
    },
    "error.not_allowed_recipient": {
        "id": "Nomor warga belum terdaftar sebagai penerima nomor uji",
        "en": "The citizen's number is not on the test number's allowed list",
    },
    "error.account_blocked": {
        "id": "Akun WhatsApp Business diblokir atau dikunci — hubungi superuser",
        "en": "The WhatsApp Business account is blocked or locked — contact a superuser",
    },
    "error.no_recipient": {
        "id": "Warga tidak punya identitas di kanal ini",
        "en": "The citizen has no identity on this channel",
    },
    "error.no_adapter": {
        "id": "Kanal ini belum bisa dipakai untuk mengirim",
        "en": "This channel cannot send yet",
    },
    "error.unknown": {"id": "Alasan tidak diketahui", "en": "Unknown reason"},
    # -- error pages ----------------------------------------------------------------------------
    "errpage.title": {"id": "Terjadi masalah", "en": "Something went wrong"},
    "errpage.home": {"id": "Kembali ke kotak masuk", "en": "Back to the inbox"},
    "errpage.400": {
        "id": "Permintaan tidak dapat diproses. Periksa isian lalu coba lagi.",
        "en": "The request could not be processed. Check the form and try again.",
    },
    "errpage.403": {
        "id": "Anda tidak berhak membuka halaman ini.",
        "en": "You may not open this page.",
    },
    "errpage.csrf": {
        "id": "Formulir sudah kedaluwarsa atau tidak sah. Muat ulang halaman lalu coba lagi.",
        "en": "The form has expired or is not valid. Reload the page and try again.",
    },
    "errpage.404": {
        "id": "Halaman atau tiket tidak ditemukan.",
        "en": "Page or ticket not found.",
    },
    "errpage.405": {"id": "Cara akses ini tidak didukung.", "en": "This method is not allowed."},
    "errpage.413": {"id": "Kiriman terlalu besar.", "en": "The submission is too large."},
    "errpage.429": {
        "id": "Terlalu banyak permintaan. Tunggu sebentar lalu coba lagi.",
        "en": "Too many requests. Wait a moment and try again.",
    },
    "errpage.500": {
        "id": "Terjadi kesalahan di server. Coba lagi sebentar lagi.",
        "en": "A server error occurred. Try again shortly.",
    },
    "errpage.session": {
        "id": "Sesi Anda berakhir. Silakan masuk lagi.",
        "en": "Your session has ended. Please sign in again.",
    },
}
