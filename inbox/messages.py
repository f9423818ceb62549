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
    # -- inbox list: filters, counts, live updates (issue 7) -----------------------------------
    "inbox.keys_hint": {
        "id": "Pintasan: j/k pindah tiket, Enter buka, / cari.",
        "en": "Shortcuts: j/k move between tickets, Enter opens, / searches.",
    },
    "inbox.counts_hint": {
        "id": "Angka dalam kurung: tiket aktif.",
        "en": "Numbers in brackets: active tickets.",
    },
    "inbox.live_changed": {
        "id": "Ada tiket baru atau berubah.",
        "en": "Tickets arrived or changed.",
    },
    "inbox.live_reload": {"id": "Muat ulang daftar", "en": "Reload the list"},
    "inbox.due": {"id": "Tenggat", "en": "Due"},
    "inbox.overdue": {"id": "Lewat tenggat", "en": "Overdue"},
    "inbox.due_soon": {"id": "Segera jatuh tempo", "en": "Due soon"},
    "inbox.assignee": {"id": "Petugas", "en": "Assignee"},
    "inbox.mine": {"id": "Tiket saya", "en": "Mine"},
    "inbox.unassigned": {"id": "Belum ditugaskan", "en": "Unassigned"},
    "inbox.step": {"id": "Langkah SOP", "en": "SOP step"},
    "inbox.category": {"id": "Kategori", "en": "Category"},
    "inbox.label": {"id": "Label", "en": "Label"},
    "inbox.category.ktp_el": {"id": "KTP-el", "en": "KTP-el (e-ID)"},
    "inbox.category.kk": {"id": "Kartu Keluarga", "en": "Family card (KK)"},
    "inbox.category.kia": {"id": "KIA", "en": "Child ID card (KIA)"},
    "inbox.category.akta_kelahiran": {"id": "Akta kelahiran", "en": "Birth certificate"},
    "inbox.category.akta_kematian": {"id": "Akta kematian", "en": "Death certificate"},
    "inbox.category.pindah": {"id": "Pindah (SKPWNI)", "en": "Moving (SKPWNI)"},
    "inbox.category.other": {"id": "Lainnya", "en": "Other"},
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
    "channel.web": {"id": "Formulir daring", "en": "Online form"},
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
    "error.first_contact_template": {
        "id": "Warga belum pernah menulis ke akun ini (atau tidak dalam 24 jam terakhir), jadi "
        "hanya templat yang disetujui yang sampai. Tetapkan first_contact_template untuk kanal "
        "ini di berkas kantor, atau minta warga menulis dulu ke akun ini.",
        "en": "The citizen has not written to this account (or not in the last 24 hours), so "
        "only an approved template reaches them. Set first_contact_template for this channel "
        "in the offices file, or ask the citizen to write to this account first.",
    },
    "error.window_closed": {
        "id": "Jendela 24 jam WhatsApp sudah tertutup: warga harus mengirim pesan dulu, "
        "atau kirim templat yang disetujui",
        "en": "WhatsApp's 24-hour window is closed: the citizen must write first, "
        "or send an approved template",
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
    # -- contacts, personal data, account, superuser screens (contact_views, admin_views,
    #    account_views) --------------------------------------------------------------------------
    "nav.admin": {"id": "Administrasi", "en": "Administration"},
    "nav.password": {"id": "Ganti kata sandi", "en": "Change password"},
    "contact.title": {"id": "Kontak warga", "en": "Citizen contact"},
    "contact.open_page": {"id": "Lihat riwayat lengkap warga", "en": "Open the citizen's history"},
    "contact.name": {"id": "Nama", "en": "Name"},
    "contact.phone": {"id": "Telepon", "en": "Phone"},
    "contact.email": {"id": "Email", "en": "Email"},
    "contact.identities": {"id": "Identitas per kanal", "en": "Identities per channel"},
    "contact.other_tickets": {"id": "Tiket lain warga ini", "en": "This citizen's other tickets"},
    "contact.no_other_tickets": {"id": "Tidak ada tiket lain.", "en": "No other tickets."},
    "contact.proposals": {
        "id": "Mungkin orang yang sama (usulan gabung)",
        "en": "Possibly the same person (merge proposals)",
    },
    "contact.same_phone": {"id": "nomor telepon sama", "en": "same phone number"},
    "contact.same_name": {"id": "nama sama", "en": "same name"},
    "contact.same_phone_name": {"id": "nomor telepon dan nama sama", "en": "same phone and name"},
    "contact.merge": {"id": "Gabungkan ke kontak ini", "en": "Merge into this contact"},
    "contact.merge_here": {"id": "Gabungkan ke kontak ini", "en": "Merge into this contact"},
    "contact.merge_confirm": {
        "id": "Gabungkan? Identitas dan tiketnya pindah ke kontak ini (tidak dapat dibatalkan).",
        "en": "Merge? Its identities and tickets move to this contact (cannot be undone).",
    },
    "contact.dismiss": {"id": "Bukan orang yang sama", "en": "Not the same person"},
    "contact.all_tickets": {"id": "Semua tiket ({n})", "en": "All tickets ({n})"},
    "contact.no_tickets": {"id": "Belum ada tiket.", "en": "No tickets yet."},
    "contact.history": {"id": "Riwayat pesan (terbaru dulu)", "en": "Messages (newest first)"},
    "contact.find": {"id": "Cari kontak lain untuk digabung", "en": "Find a contact to merge"},
    "contact.find_label": {
        "id": "Nama, nomor telepon atau identitas (min. 3 karakter)",
        "en": "Name, phone number or identity (at least 3 characters)",
    },
    "contact.none_found": {"id": "Tidak ada kontak yang cocok.", "en": "No matching contact."},
    "contact.merges": {"id": "Riwayat penggabungan", "en": "Merge history"},
    "contact.merged_event": {
        "id": "{user} menggabungkan kontak #{other} ({n} tiket)",
        "en": "{user} merged contact #{other} ({n} tickets)",
    },
    "contact.dismissed_event": {
        "id": "{user} menandai kontak #{other} bukan orang yang sama",
        "en": "{user} marked contact #{other} as not the same person",
    },
    "pd.reveal": {"id": "Tampilkan NIK/KK lengkap", "en": "Show full NIK/KK"},
    "pd.revealed": {
        "id": "Ditampilkan lengkap atas permintaan Anda; tercatat di jejak audit.",
        "en": "Shown in full at your request; recorded in the audit trail.",
    },
    "pd.revealed_title": {"id": "Data pribadi ditampilkan", "en": "Personal data shown"},
    "audit.contact_merged": {"id": "Kontak warga digabung", "en": "Citizen contacts merged"},
    "audit.personal_data_revealed": {
        "id": "NIK/KK ditampilkan lengkap",
        "en": "NIK/KK shown in full",
    },
    "account.password_title": {"id": "Ganti kata sandi", "en": "Change password"},
    "account.current": {"id": "Kata sandi sekarang", "en": "Current password"},
    "account.new": {"id": "Kata sandi baru", "en": "New password"},
    "account.repeat": {"id": "Ulangi kata sandi baru", "en": "Repeat the new password"},
    "account.hint": {
        "id": "Minimal {min} karakter. Sesi Anda di perangkat lain akan berakhir.",
        "en": "At least {min} characters. Your sessions on other devices will end.",
    },
    "account.submit": {"id": "Simpan kata sandi", "en": "Save password"},
    "account.changed": {
        "id": "Kata sandi diganti. Sesi lain Anda sudah diakhiri.",
        "en": "Password changed. Your other sessions have ended.",
    },
    "admin.nav": {"id": "Menu administrasi", "en": "Administration menu"},
    "admin.section.offices": {"id": "Kantor", "en": "Offices"},
    "admin.section.users": {"id": "Pengguna", "en": "Users"},
    "admin.section.channels": {"id": "Kanal & kesehatan", "en": "Channels & health"},
    "admin.section.events": {"id": "Kejadian masuk", "en": "Inbound events"},
    "admin.code": {"id": "Kode", "en": "Code"},
    "admin.office": {"id": "Kantor", "en": "Office"},
    "admin.office_name": {"id": "Nama kantor", "en": "Office name"},
    "admin.office_title": {"id": "Kantor {code}", "en": "Office {code}"},
    "admin.timezone": {"id": "Zona waktu", "en": "Time zone"},
    "admin.sop": {"id": "Profil SOP", "en": "SOP profile"},
    "admin.sop_hint": {
        "id": "Berlaku untuk tiket baru dan langkah berikutnya. File kantor yang dimuat ulang "
        "menimpa isian ini.",
        "en": "Applies to new tickets and next steps. Reloading the offices file overwrites it.",
    },
    "admin.save": {"id": "Simpan", "en": "Save"},
    "admin.saved": {"id": "Tersimpan.", "en": "Saved."},
    "admin.create": {"id": "Buat pengguna", "en": "Create user"},
    "admin.new_user": {"id": "Pengguna baru", "en": "New user"},
    "admin.username": {"id": "Nama pengguna", "en": "User name"},
    "admin.full_name": {"id": "Nama lengkap", "en": "Full name"},
    "admin.password": {"id": "Kata sandi", "en": "Password"},
    "admin.new_password": {"id": "Kata sandi baru", "en": "New password"},
    "admin.role": {"id": "Peran", "en": "Role"},
    "admin.roles": {"id": "Peran per kantor", "en": "Roles per office"},
    "admin.no_role": {"id": "(bukan anggota)", "en": "(not a member)"},
    "admin.state": {"id": "Status akun", "en": "Account status"},
    "admin.active": {"id": "Aktif", "en": "Active"},
    "admin.inactive": {"id": "Nonaktif", "en": "Deactivated"},
    "admin.activate": {"id": "Aktifkan", "en": "Activate"},
    "admin.deactivate": {"id": "Nonaktifkan", "en": "Deactivate"},
    "admin.superuser_on": {"id": "Jadikan superuser", "en": "Make superuser"},
    "admin.superuser_off": {"id": "Cabut superuser", "en": "Remove superuser"},
    "admin.last_login": {"id": "Terakhir masuk", "en": "Last sign-in"},
    "admin.memberships": {"id": "Keanggotaan kantor", "en": "Office memberships"},
    "admin.reset_password": {"id": "Atur ulang kata sandi", "en": "Reset password"},
    "admin.reset_hint": {
        "id": "Semua sesi pengguna ini berakhir dan token API-nya dicabut.",
        "en": "All this user's sessions end and their API tokens are revoked.",
    },
    "admin.role.admin": {"id": "Admin", "en": "Admin"},
    "admin.role.group_admin": {"id": "Group Admin", "en": "Group admin"},
    "admin.role.cs": {"id": "Customer Service", "en": "Customer service"},
    "admin.role.pejabat_teknis": {"id": "Pejabat Teknis", "en": "Technical official"},
    "admin.role.kasie": {"id": "Kasie", "en": "Kasie (section head)"},
    "admin.role.kabid": {"id": "Kabid", "en": "Kabid (division head)"},
    "admin.role.kadis": {"id": "Kadis", "en": "Kadis (head of office)"},
    "admin.role.superuser": {"id": "Superuser", "en": "Superuser"},
    "admin.channels_intro": {
        "id": "Setiap akun kanal dengan pesan terakhir dan galat terakhir. Perlu perhatian: "
        "token kedaluwarsa atau ditolak; perbarui token di file kantor.",
        "en": "Every channel account with its last messages and last error. Needs "
        "attention: the token expired or was refused; renew it in the offices file.",
    },
    "admin.account": {"id": "Akun", "en": "Account"},
    "admin.health": {"id": "Kesehatan", "en": "Health"},
    "admin.health.ok": {"id": "Baik", "en": "OK"},
    "admin.health.needs_attention": {"id": "Perlu perhatian", "en": "Needs attention"},
    "admin.health.inactive": {"id": "Nonaktif", "en": "Inactive"},
    "admin.last_inbound": {"id": "Pesan masuk terakhir", "en": "Last message received"},
    "admin.last_outbound": {"id": "Pesan keluar terakhir", "en": "Last message sent"},
    "admin.last_error": {"id": "Galat terakhir", "en": "Last error"},
    "admin.no_channels": {"id": "Belum ada akun kanal.", "en": "No channel accounts yet."},
    "admin.error.not_found": {"id": "Tidak ditemukan.", "en": "Not found."},
    "admin.error.password_short": {
        "id": "Kata sandi minimal 8 karakter.",
        "en": "The password needs at least 8 characters.",
    },
    "admin.error.password_long": {"id": "Kata sandi terlalu panjang.", "en": "Password too long."},
    "admin.error.password_is_username": {
        "id": "Kata sandi tidak boleh sama dengan nama pengguna.",
        "en": "The password may not be the user name.",
    },
    "admin.error.same_password": {
        "id": "Kata sandi baru sama dengan yang lama.",
        "en": "The new password is the same as the old one.",
    },
    "admin.error.wrong_current": {
        "id": "Kata sandi sekarang salah.",
        "en": "The current password is wrong.",
    },
    "admin.error.mismatch": {
        "id": "Kedua isian kata sandi baru tidak sama.",
        "en": "The two new passwords differ.",
    },
    "admin.error.username_taken": {
        "id": "Nama pengguna sudah dipakai.",
        "en": "That user name is taken.",
    },
    "admin.error.bad_user": {
        "id": "Nama pengguna hanya huruf, angka, '.', '_' atau '-'; peran kantor perlu kantor.",
        "en": "A user name is letters, digits, '.', '_' or '-'; an office role needs an office.",
    },
    "admin.error.bad_role": {"id": "Peran tidak dikenal.", "en": "Unknown role."},
    "admin.error.not_yourself": {
        "id": "Anda tidak dapat menonaktifkan atau mencabut superuser akun Anda sendiri.",
        "en": "You cannot deactivate or demote your own account.",
    },
    "admin.error.office_name": {
        "id": "Nama kantor wajib diisi (maks. 200 karakter).",
        "en": "The office name is required (at most 200 characters).",
    },
    "admin.error.timezone": {"id": "Zona waktu tidak dikenal.", "en": "Unknown time zone."},
    "admin.error.sop": {"id": "Profil SOP tidak dikenal.", "en": "Unknown SOP profile."},
    # -- SP4N-LAPOR: report facts, confidentiality, LAPOR clocks, import (issue 5, lapor_views) --
    "lapor.h": {"id": "SP4N-LAPOR!", "en": "SP4N-LAPOR!"},
    "lapor.tracking": {"id": "Nomor tracking LAPOR", "en": "LAPOR tracking ID"},
    "lapor.anonymous": {
        "id": "Pelapor anonim: identitasnya tidak disimpan dan tidak ditampilkan.",
        "en": "Anonymous reporter: their identity is neither stored nor shown.",
    },
    "lapor.confidential": {"id": "Laporan rahasia", "en": "Confidential report"},
    "lapor.hidden": {
        "id": "Isi laporan rahasia ini hanya dapat dibaca oleh pejabat yang menanganinya.",
        "en": "This confidential report can only be read by the officials who handle it.",
    },
    "lapor.hidden_message": {"id": "(isi dirahasiakan)", "en": "(content withheld)"},
    "lapor.clocks": {"id": "Batas waktu LAPOR", "en": "LAPOR deadlines"},
    "lapor.clock.waiting": {
        "id": "dimulai setelah tindak lanjut pertama",
        "en": "starts after the first follow-up",
    },
    "lapor.clock.ok": {"id": "berjalan, tenggat {due}", "en": "running, due {due}"},
    "lapor.clock.warning": {"id": "segera lewat: {due}", "en": "due soon: {due}"},
    "lapor.clock.overdue": {"id": "terlewati sejak {due}", "en": "passed since {due}"},
    "lapor.clock.met": {"id": "terpenuhi", "en": "met"},
    "lapor.clock.met_late": {"id": "terpenuhi terlambat", "en": "met late"},
    "lapor.pending": {
        "id": "{n} tindak lanjut belum diterima LAPOR; dicoba lagi otomatis.",
        "en": "{n} follow-up(s) not yet accepted by LAPOR; retried automatically.",
    },
    "lapor.import.nav": {"id": "Impor LAPOR", "en": "LAPOR import"},
    "lapor.import.h": {"id": "Impor laporan SP4N-LAPOR!", "en": "Import SP4N-LAPOR! reports"},
    "lapor.import.intro": {
        "id": "Tanpa akses API: unggah berkas ekspor dari portal LAPOR (CSV UTF-8 atau XLSX), "
        "atau tempel satu laporan. Nomor tracking yang sudah ada tidak ditambahkan lagi.",
        "en": "Without API access: upload the LAPOR portal's export (CSV UTF-8 or XLSX), or "
        "paste one report. Tracking IDs already in the inbox are not added again.",
    },
    "lapor.import.account": {"id": "Akun LAPOR", "en": "LAPOR account"},
    "lapor.import.file": {"id": "Berkas ekspor", "en": "Export file"},
    "lapor.import.upload": {"id": "Unggah dan impor", "en": "Upload and import"},
    "lapor.import.paste_h": {"id": "Tempel satu laporan", "en": "Paste one report"},
    "lapor.import.ref": {"id": "Nomor tracking", "en": "Tracking ID"},
    "lapor.import.title": {"id": "Judul", "en": "Title"},
    "lapor.import.text": {"id": "Isi laporan", "en": "Report text"},
    "lapor.import.forwarded": {
        "id": "Tanggal disposisi (YYYY-MM-DD HH:MM, WIB)",
        "en": "Forwarded on (YYYY-MM-DD HH:MM, WIB)",
    },
    "lapor.import.name": {"id": "Nama pelapor", "en": "Reporter's name"},
    "lapor.import.anonymous": {"id": "Pelapor anonim", "en": "Anonymous reporter"},
    "lapor.import.confidential": {"id": "Laporan rahasia", "en": "Confidential report"},
    "lapor.import.paste": {"id": "Simpan laporan", "en": "Save the report"},
    "lapor.import.none": {
        "id": "Kantor Anda belum punya akun SP4N-LAPOR! di helpdesk.",
        "en": "Your office has no SP4N-LAPOR! account in the helpdesk.",
    },
    "lapor.import.result": {
        "id": "{added} laporan ditambahkan, {duplicates} sudah ada, {problems} baris bermasalah.",
        "en": "{added} reports added, {duplicates} already there, {problems} rows with problems.",
    },
    "lapor.import.row": {"id": "Baris {row}: {reason}", "en": "Row {row}: {reason}"},
    "lapor.import.whole": {"id": "Berkas: {reason}", "en": "File: {reason}"},
    # -- workflow desk: SOP panel, assignment, labels, canned answers, consultations, audit,
    # -- officials' queue, customer service and receipts (issue 7, inbox/sop_views.py & co.) --
    "nav.officials": {"id": "Antrean keputusan", "en": "Decision queue"},
    "nav.cs": {"id": "Pengaduan langsung", "en": "In-person complaint"},
    "sop.side": {"id": "Alur kerja tiket", "en": "Ticket workflow"},
    "sop.title": {"id": "Langkah SOP", "en": "SOP step"},
    "sop.standard": {"id": "Mutu baku langkah", "en": "Step time standard"},
    "sop.step_due": {"id": "Batas langkah", "en": "Step due"},
    "sop.due": {"id": "Batas penyelesaian", "en": "Overall deadline"},
    "sop.unit": {"id": "Unit", "en": "Unit"},
    "sop.no_step": {
        "id": "Tiket ini belum punya langkah SOP.",
        "en": "This ticket has no SOP step yet.",
    },
    "sop.overdue": {"id": "Melewati batas waktu", "en": "Overdue"},
    "sop.due_soon": {"id": "Segera jatuh tempo", "en": "Due soon"},
    "sop.paused": {
        "id": "Waktu dihentikan: menunggu kelengkapan dari warga",
        "en": "Clock paused: waiting for the citizen's documents",
    },
    "sop.actions": {"id": "Tindakan Anda sekarang", "en": "Your actions now"},
    "sop.none_for_you": {
        "id": "Tidak ada tindakan untuk peran Anda pada langkah ini.",
        "en": "Your role has no action at this step.",
    },
    "sop.choose": {"id": "— pilih —", "en": "— choose —"},
    "sop.required_when_answer": {
        "id": "Wajib diisi bila keputusannya menjawab warga.",
        "en": "Required when the decision answers the citizen.",
    },
    "sop.refused_role": {
        "id": "Peran Anda tidak boleh mengambil tindakan ini. Tidak ada yang diubah.",
        "en": "Your role may not take this action. Nothing was changed.",
    },
    "sop.refused_step": {
        "id": "Tindakan ini tidak tersedia pada langkah tiket sekarang. Tidak ada yang diubah.",
        "en": "This action is not possible at the ticket's current step. Nothing was changed.",
    },
    "sop.refused_fields": {
        "id": "Isian belum lengkap atau tidak sah. Tidak ada yang diubah.",
        "en": "The form is incomplete or not valid. Nothing was changed.",
    },
    "sop.out_of_authority": {
        "id": "Bukan kewenangan Dukcapil",
        "en": "Not within Dukcapil's authority",
    },
    "sop.out_of_authority_reason": {
        "id": "Instansi yang berwenang dan alasannya",
        "en": "The agency responsible, and why",
    },
    "sop.out_of_authority_hint": {
        "id": "Tiket ditutup, dan platform asal laporan diberi tahu bahwa laporan ini bukan "
        "kewenangan Dukcapil, beserta alasan ini.",
        "en": "The ticket is closed, and the platform the report came from is told it is not "
        "Dukcapil's to handle, with this reason.",
    },
    "sop.out_of_authority_closed": {
        "id": "Ditutup: bukan kewenangan Dukcapil.",
        "en": "Closed: not within Dukcapil's authority.",
    },
    "outcome.answer": {"id": "Jawab warga", "en": "Answer the citizen"},
    "outcome.follow_up": {"id": "Tindak lanjut oleh unit", "en": "Follow-up by a unit"},
    "outcome.forward": {"id": "Teruskan ke pejabat lebih tinggi", "en": "Forward higher"},
    "outcome.reject": {"id": "Tolak", "en": "Reject"},
    "sop_role.admin": {"id": "Admin", "en": "Admin"},
    "sop_role.group_admin": {"id": "Group Admin", "en": "Group admin"},
    "sop_role.cs": {"id": "Customer Service", "en": "Customer service"},
    "sop_role.pejabat_teknis": {"id": "Pejabat Teknis", "en": "Technical official"},
    "sop_role.kasie": {"id": "Kasie", "en": "Kasie (section head)"},
    "sop_role.kabid": {"id": "Kabid", "en": "Kabid (division head)"},
    "sop_role.kadis": {"id": "Kadis", "en": "Kadis (head of office)"},
    "sop_role.superuser": {"id": "Superuser", "en": "Superuser"},
    "assign.title": {"id": "Penugasan", "en": "Assignment"},
    "assign.take": {"id": "Ambil tiket ini", "en": "Take this ticket"},
    "assign.release": {"id": "Lepaskan", "en": "Release"},
    "assign.to": {"id": "Tugaskan kepada", "en": "Assign to"},
    "assign.submit": {"id": "Tugaskan", "en": "Assign"},
    "labels.title": {"id": "Label", "en": "Labels"},
    "labels.none": {"id": "Belum ada label.", "en": "No labels yet."},
    "labels.add": {"id": "Tambah", "en": "Add"},
    "labels.add_label": {"id": "Label baru atau yang ada", "en": "New or existing label"},
    "labels.remove": {"id": "Hapus label {name}", "en": "Remove label {name}"},
    "labels.error_empty": {"id": "Nama label masih kosong.", "en": "The label is empty."},
    "labels.error_too_long": {
        "id": "Nama label paling banyak 40 karakter.",
        "en": "A label has at most 40 characters.",
    },
    "labels.error_bad_chars": {
        "id": "Nama label tidak boleh memuat < > atau karakter kendali.",
        "en": "A label may not contain < > or control characters.",
    },
    "labels.error_too_many": {
        "id": "Kantor ini sudah punya terlalu banyak label.",
        "en": "This office has too many labels already.",
    },
    "canned.title": {"id": "Jawaban siap pakai", "en": "Canned answers"},
    "canned.insert": {"id": "Jawaban siap pakai", "en": "Canned answer"},
    "canned.choose": {"id": "— sisipkan ke balasan —", "en": "— insert into the reply —"},
    "canned.insert_button": {"id": "Sisipkan", "en": "Insert"},
    "canned.manage": {"id": "Kelola jawaban siap pakai", "en": "Manage canned answers"},
    "canned.variables": {
        "id": "Variabel yang diisi otomatis: {names}",
        "en": "Variables filled in automatically: {names}",
    },
    "canned.none": {"id": "Belum ada jawaban siap pakai.", "en": "No canned answers yet."},
    "canned.add": {"id": "Tambah jawaban", "en": "Add an answer"},
    "canned.field_title": {"id": "Judul", "en": "Title"},
    "canned.field_body": {"id": "Isi jawaban", "en": "Answer text"},
    "canned.save": {"id": "Simpan", "en": "Save"},
    "canned.delete": {"id": "Hapus", "en": "Delete"},
    "canned.error_empty_title": {"id": "Judul masih kosong.", "en": "The title is empty."},
    "canned.error_title_too_long": {
        "id": "Judul paling banyak 120 karakter.",
        "en": "The title has at most 120 characters.",
    },
    "canned.error_empty_body": {"id": "Isi jawaban masih kosong.", "en": "The text is empty."},
    "canned.error_body_too_long": {
        "id": "Isi jawaban terlalu panjang (paling banyak 4096 karakter).",
        "en": "The text is too long (at most 4096 characters).",
    },
    "canned.error_duplicate": {
        "id": "Sudah ada jawaban dengan judul ini.",
        "en": "An answer with this title exists already.",
    },
    "canned.error_too_many": {
        "id": "Kantor ini sudah punya terlalu banyak jawaban siap pakai.",
        "en": "This office has too many canned answers already.",
    },
    "canned.error_forbidden": {
        "id": "Hanya admin kantor yang mengelola jawaban siap pakai.",
        "en": "Only the office's admins manage canned answers.",
    },
    "consult.title": {"id": "Konsultasi", "en": "Consultation"},
    "consult.question": {"id": "Pertanyaan:", "en": "Question:"},
    "consult.waiting": {"id": "Menunggu jawaban.", "en": "Waiting for an answer."},
    "consult.status_open": {"id": "Menunggu", "en": "Open"},
    "consult.status_answered": {"id": "Dijawab", "en": "Answered"},
    "audit.title": {"id": "Riwayat tiket", "en": "Ticket history"},
    "audit.system": {"id": "Sistem", "en": "System"},
    "audit.ticket_opened": {"id": "Tiket dibuat", "en": "Ticket opened"},
    "audit.ticket_reopened": {"id": "Tiket dibuka lagi", "en": "Ticket reopened"},
    "audit.ticket_assigned": {"id": "Penugasan diubah", "en": "Assignment changed"},
    "audit.step_changed": {"id": "Langkah berpindah", "en": "Step changed"},
    "audit.step_escalated": {"id": "Dieskalasi", "en": "Escalated"},
    "audit.ticket_out_of_authority": {
        "id": "Ditutup: bukan kewenangan Dukcapil",
        "en": "Closed: not within Dukcapil's authority",
    },
    "audit.decision_recorded": {"id": "Keputusan dicatat", "en": "Decision recorded"},
    "audit.consultation_opened": {"id": "Konsultasi dibuka", "en": "Consultation opened"},
    "audit.consultation_answered": {"id": "Konsultasi dijawab", "en": "Consultation answered"},
    "audit.clock_paused": {"id": "Waktu dihentikan", "en": "Clock paused"},
    "audit.clock_resumed": {"id": "Waktu berjalan lagi", "en": "Clock resumed"},
    "audit.category_set": {"id": "Kategori diubah", "en": "Category set"},
    "audit.note_added": {"id": "Catatan ditambahkan", "en": "Note added"},
    "audit.reply_queued": {"id": "Balasan dikirim", "en": "Reply queued"},
    "audit.receipt_queued": {"id": "Tanda terima dikirim", "en": "Receipt queued"},
    "audit.label_added": {"id": "Label ditambahkan", "en": "Label added"},
    "audit.label_removed": {"id": "Label dihapus", "en": "Label removed"},
    "audit.deadline_step_warning": {"id": "Peringatan batas langkah", "en": "Step due soon"},
    "audit.deadline_overall_warning": {"id": "Peringatan batas waktu", "en": "Deadline soon"},
    "audit.deadline_step_passed": {"id": "Batas langkah terlewati", "en": "Step overdue"},
    "audit.deadline_overall_passed": {"id": "Batas waktu terlewati", "en": "Deadline passed"},
    "audit.deadline_notified": {"id": "Pejabat diberi tahu", "en": "Officials notified"},
    "audit.personal_data_viewed": {"id": "Data pribadi dilihat", "en": "Personal data viewed"},
    "officials.title": {"id": "Antrean keputusan", "en": "Decision queue"},
    "officials.intro": {
        "id": "{count} tiket menunggu keputusan Anda, yang paling mendesak di atas.",
        "en": "{count} tickets wait for your decision, the most urgent first.",
    },
    "officials.empty": {
        "id": "Tidak ada tiket yang menunggu keputusan Anda.",
        "en": "No ticket is waiting for your decision.",
    },
    "officials.not_official": {
        "id": "Antrean ini untuk Kasie, Kabid dan Kadis.",
        "en": "This queue is for the Kasie, Kabid and Kadis.",
    },
    "officials.step": {"id": "Langkah", "en": "Step"},
    "officials.question": {"id": "Pertanyaan warga", "en": "The citizen's question"},
    "officials.analysis": {"id": "Analisis petugas", "en": "The staff's analysis"},
    "officials.decisions": {"id": "Keputusan sebelumnya", "en": "Earlier decisions"},
    "officials.done": {
        "id": "{register_no}: tercatat. Sekarang: {step}.",
        "en": "{register_no}: recorded. Now: {step}.",
    },
    "officials.open_ticket": {"id": "Buka tiket", "en": "Open the ticket"},
    "channel.counter": {"id": "Tatap muka", "en": "Face to face"},
    "channel.phone": {"id": "Telepon (call centre)", "en": "Phone (call centre)"},
    "cs.title": {"id": "Catat pengaduan langsung", "en": "Register an in-person complaint"},
    "cs.intro": {
        "id": "Untuk pengaduan tatap muka di loket atau lewat call centre. Pengaduan masuk ke "
        "kotak masuk yang sama dan mendapat nomor register.",
        "en": "For complaints made at the counter or to the call centre. They enter the same "
        "inbox and get a register number.",
    },
    "cs.not_desk": {
        "id": "Formulir ini untuk Customer Service dan Admin.",
        "en": "This form is for customer service and admins.",
    },
    "cs.channel": {"id": "Diterima lewat", "en": "Received by"},
    "cs.name": {"id": "Nama pelapor", "en": "Complainant's name"},
    "cs.phone": {"id": "Nomor HP/WhatsApp", "en": "Mobile/WhatsApp number"},
    "cs.phone_hint": {
        "id": "Boleh kosong. Contoh: 0812 3456 7890",
        "en": "Optional. E.g. 0812 3456 7890",
    },
    "cs.email": {"id": "Surel", "en": "Email"},
    "cs.nik": {"id": "NIK", "en": "NIK"},
    "cs.nik_hint": {
        "id": "Boleh kosong. 16 angka; hanya ditampilkan tersamar.",
        "en": "Optional. 16 digits; only ever shown masked.",
    },
    "cs.category": {"id": "Kategori", "en": "Category"},
    "cs.text": {"id": "Isi pengaduan", "en": "The complaint"},
    "cs.send_receipt": {"id": "Kirim tanda terima", "en": "Send the receipt"},
    "cs.send_whatsapp": {"id": "ke WhatsApp pelapor", "en": "to the citizen's WhatsApp"},
    "cs.send_email": {"id": "ke surel pelapor", "en": "to the citizen's email"},
    "cs.send_hint": {
        "id": "Dikirim hanya bila nomor atau alamatnya diisi.",
        "en": "Sent only when the number or address is given.",
    },
    "cs.submit": {"id": "Catat dan buat tanda terima", "en": "Register and make a receipt"},
    "cs.error_office": {"id": "Pilih kantor.", "en": "Choose the office."},
    "cs.error_office_forbidden": {
        "id": "Anda tidak boleh mencatat pengaduan untuk kantor ini.",
        "en": "You may not register complaints for this office.",
    },
    "cs.error_channel_invalid": {
        "id": "Pilih tatap muka atau telepon.",
        "en": "Choose face to face or phone.",
    },
    "cs.error_name_required": {"id": "Nama pelapor wajib diisi.", "en": "The name is required."},
    "cs.error_name_too_long": {
        "id": "Nama paling banyak 200 karakter.",
        "en": "The name has at most 200 characters.",
    },
    "cs.error_name_invalid": {"id": "Nama tidak sah.", "en": "The name is not valid."},
    "cs.error_text_required": {
        "id": "Isi pengaduan wajib diisi.",
        "en": "The complaint is required.",
    },
    "cs.error_text_too_long": {
        "id": "Isi pengaduan paling banyak 4000 karakter.",
        "en": "The complaint has at most 4000 characters.",
    },
    "cs.error_category_invalid": {"id": "Kategori tidak dikenal.", "en": "Unknown category."},
    "cs.error_phone_invalid": {
        "id": "Nomor HP tidak sah (9-15 angka, contoh 0812 3456 7890).",
        "en": "Not a valid mobile number (9-15 digits, e.g. 0812 3456 7890).",
    },
    "cs.error_phone_too_long": {"id": "Nomor HP terlalu panjang.", "en": "Number too long."},
    "cs.error_email_invalid": {"id": "Alamat surel tidak sah.", "en": "Not a valid email address."},
    "cs.error_email_too_long": {"id": "Alamat surel terlalu panjang.", "en": "Address too long."},
    "cs.error_nik_invalid": {"id": "NIK harus 16 angka.", "en": "The NIK has 16 digits."},
    "cs.error_nik_too_long": {"id": "NIK harus 16 angka.", "en": "The NIK has 16 digits."},
    "receipt.title": {"id": "Tanda Terima Pengaduan", "en": "Complaint receipt"},
    "receipt.another": {"id": "Catat pengaduan lain", "en": "Register another complaint"},
    "receipt.received": {"id": "Diterima", "en": "Received"},
    "receipt.next": {"id": "Selanjutnya", "en": "What happens next"},
    "receipt.next_step": {"id": "Tahap berikutnya: {step}", "en": "Next step: {step}"},
    "receipt.deadline": {
        "id": "Waktu penyelesaian sesuai SOP: {deadline}",
        "en": "Time to resolve under the SOP: {deadline}",
    },
    "receipt.due": {"id": "Paling lambat: {when}", "en": "At the latest: {when}"},
    "receipt.quote_number": {
        "id": "Sebutkan nomor register ini bila menanyakan pengaduan Anda.",
        "en": "Quote this register number when asking about your complaint.",
    },
    "receipt.free": {"id": "Layanan ini tidak dipungut biaya.", "en": "This service is free."},
    "receipt.officer": {"id": "Petugas", "en": "Officer"},
    "receipt.sent_title": {"id": "Tanda terima ke warga", "en": "Receipt to the citizen"},
    "receipt.not_sent": {
        "id": "Tidak dikirim (tidak ada nomor WhatsApp/surel, atau kantor tidak punya kanalnya).",
        "en": "Not sent (no WhatsApp number/email given, or the office has no such channel).",
    },
    "receipt.print": {"id": "Cetak tanda terima", "en": "Print the receipt"},
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
    # -- reports and the register book (issue 8) ----------------------------------------------
    "nav.reports": {"id": "Laporan", "en": "Reports"},
    "nav.register": {"id": "Buku register", "en": "Register book"},
    "reports.title": {"id": "Rekap dan laporan", "en": "Recaps and reports"},
    "reports.kind": {"id": "Jenis", "en": "Kind"},
    "reports.monthly": {"id": "Laporan bulanan", "en": "Monthly report"},
    "reports.daily": {"id": "Rekap harian", "en": "Daily recap"},
    "reports.period": {"id": "Periode", "en": "Period"},
    "reports.local_time": {"id": "waktu setempat kantor", "en": "office local time"},
    "reports.download_xlsx": {"id": "Unduh XLSX", "en": "Download XLSX"},
    "reports.download_pdf": {"id": "Unduh PDF (cetak)", "en": "Download PDF (print)"},
    "reports.summary": {"id": "Ringkasan", "en": "Summary"},
    "reports.tickets": {"id": "Pengaduan masuk", "en": "Complaints received"},
    "reports.before": {"id": "Sebelumnya", "en": "Before"},
    "reports.resolved": {"id": "Selesai", "en": "Resolved"},
    "reports.answered": {"id": "Sudah dijawab", "en": "Answered"},
    "reports.overdue_now": {"id": "Lewat batas waktu (kini)", "en": "Overdue (now)"},
    "reports.first_response": {
        "id": "Respons pertama: median / p90",
        "en": "First response: median / p90",
    },
    "reports.resolution": {"id": "Penyelesaian: median / p90", "en": "Resolution: median / p90"},
    "reports.sop_share": {"id": "Kepatuhan SOP (%)", "en": "SOP compliance (%)"},
    "reports.minutes_hint": {
        "id": "Waktu dalam menit sejak pengaduan masuk (jam kalender).",
        "en": "Times in minutes since the complaint arrived (calendar time).",
    },
    "reports.category": {"id": "Kategori", "en": "Category"},
    "reports.per_day": {"id": "Per hari (gelap: masuk, terang: selesai)", "en": "Per day"},
    "reports.by_status": {"id": "Menurut status", "en": "By status"},
    "reports.by_step": {"id": "Menurut langkah SOP", "en": "By SOP step"},
    "reports.by_unit": {"id": "Menurut unit", "en": "By unit"},
    "reports.compliance": {
        "id": "Kepatuhan SOP per langkah (Mutu Baku)",
        "en": "SOP compliance per step (time standard)",
    },
    "reports.step": {"id": "Langkah", "en": "Step"},
    "reports.standard": {"id": "Standar waktu", "en": "Time standard"},
    "reports.met": {"id": "Tepat", "en": "Met"},
    "reports.missed": {"id": "Terlambat", "en": "Missed"},
    "reports.pending": {"id": "Berjalan", "en": "Running"},
    "reports.missed_which": {"id": "Yang terlambat", "en": "Which missed"},
    "reports.escalations": {"id": "Eskalasi menurut petugas", "en": "Escalations by official"},
    "reports.decisions": {"id": "Keputusan menurut pejabat", "en": "Decisions by official"},
    "reports.platform_deadlines": {
        "id": "Tindak lanjut tenggat platform (SP4N-LAPOR)",
        "en": "Platform follow-up deadlines (SP4N-LAPOR)",
    },
    "register.title": {"id": "Buku register pengaduan", "en": "Complaint register book"},
    "register.month": {"id": "Bulan", "en": "Month"},
    "register.empty": {
        "id": "Tidak ada pengaduan pada bulan ini.",
        "en": "No complaints this month.",
    },
    # -- public pages: complaint form and status (issue 8) -------------------------------------
    "public.title": {"id": "Aduan Dukcapil", "en": "Dukcapil complaints"},
    "public.form_link": {"id": "Kirim pengaduan", "en": "Send a complaint"},
    "public.status_link": {"id": "Cek status pengaduan", "en": "Check a complaint's status"},
    "public.form_title": {"id": "Kirim pengaduan", "en": "Send a complaint"},
    "public.form_intro": {
        "id": "Tulis pengaduan Anda. Jawaban dikirim ke nomor WhatsApp atau email yang Anda isi. "
        "Layanan ini gratis.",
        "en": "Write your complaint. The answer goes to the WhatsApp number or email you give. "
        "This service is free of charge.",
    },
    "public.no_offices": {
        "id": "Belum ada kantor yang menerima pengaduan lewat formulir ini.",
        "en": "No office takes complaints through this form yet.",
    },
    "public.trap": {"id": "Jangan diisi", "en": "Leave empty"},
    "public.office": {"id": "Kantor Dukcapil", "en": "Dukcapil office"},
    "public.name": {"id": "Nama (boleh dikosongkan)", "en": "Name (optional)"},
    "public.text": {"id": "Isi pengaduan", "en": "Your complaint"},
    "public.text_hint": {
        "id": "Paling sedikit 10 huruf. Jangan tulis NIK lengkap.",
        "en": "At least 10 characters. Do not write your full NIK.",
    },
    "public.phone": {"id": "Nomor WhatsApp", "en": "WhatsApp number"},
    "public.email": {"id": "Email", "en": "Email"},
    "public.contact_hint": {
        "id": "Isi salah satu: ke sanalah jawaban dikirim.",
        "en": "Fill in one of them: the answer is sent there.",
    },
    "public.photos": {"id": "Foto dokumen (boleh tidak ada)", "en": "Photos of documents"},
    "public.photos_hint": {
        "id": "Paling banyak {count} berkas JPEG, PNG, WebP atau PDF, masing-masing {mb} MB.",
        "en": "At most {count} JPEG, PNG, WebP or PDF files, {mb} MB each.",
    },
    "public.send": {"id": "Kirim pengaduan", "en": "Send the complaint"},
    "public.err.spam": {"id": "Kiriman ditolak.", "en": "The submission was refused."},
    "public.err.expired": {
        "id": "Formulir sudah kedaluwarsa. Silakan kirim lagi.",
        "en": "The form has expired. Please send it again.",
    },
    "public.err.too_fast": {
        "id": "Formulir dikirim terlalu cepat. Periksa isian lalu kirim lagi.",
        "en": "The form was sent too quickly. Check it and send it again.",
    },
    "public.err.flood": {
        "id": "Terlalu banyak pengaduan dari alamat ini. Coba lagi nanti.",
        "en": "Too many complaints from this address. Try again later.",
    },
    "public.err.office": {"id": "Pilih kantor Dukcapil.", "en": "Choose a Dukcapil office."},
    "public.err.text_short": {
        "id": "Isi pengaduan terlalu pendek (paling sedikit 10 huruf).",
        "en": "The complaint is too short (at least 10 characters).",
    },
    "public.err.text_long": {
        "id": "Isi pengaduan terlalu panjang (paling banyak 4000 huruf).",
        "en": "The complaint is too long (at most 4000 characters).",
    },
    "public.err.name_long": {"id": "Nama terlalu panjang.", "en": "The name is too long."},
    "public.err.phone": {
        "id": "Nomor WhatsApp tidak sah. Tulis seperti 0812xxxxxxx atau +62812xxxxxxx.",
        "en": "The WhatsApp number is not valid. Write it as 0812xxxxxxx or +62812xxxxxxx.",
    },
    "public.err.email": {"id": "Alamat email tidak sah.", "en": "The email address is not valid."},
    "public.err.no_contact": {
        "id": "Isi nomor WhatsApp atau email agar jawaban dapat dikirim.",
        "en": "Give a WhatsApp number or an email address for the answer.",
    },
    "public.err.no_reply_channel": {
        "id": "Kantor ini belum dapat menjawab lewat kontak itu. Isi kontak yang lain.",
        "en": "This office cannot answer on that contact yet. Give the other one.",
    },
    "public.err.too_many_files": {"id": "Terlalu banyak berkas.", "en": "Too many files."},
    "public.err.file_too_big": {"id": "Ada berkas yang terlalu besar.", "en": "A file is too big."},
    "public.err.file_type": {
        "id": "Berkas harus foto (JPEG, PNG, WebP) atau PDF.",
        "en": "Files must be photos (JPEG, PNG, WebP) or PDF.",
    },
    "public.filed_title": {"id": "Pengaduan terkirim", "en": "Complaint sent"},
    "public.filed_intro": {
        "id": "Pengaduan Anda sudah diterima oleh {office}. Nomor register Anda:",
        "en": "{office} has received your complaint. Your register number:",
    },
    "public.filed_keep": {
        "id": "Simpan nomor ini untuk mengecek status pengaduan.",
        "en": "Keep this number to check the complaint's status.",
    },
    "public.filed_reply_whatsapp": {
        "id": "Jawaban akan dikirim lewat WhatsApp ke {to}.",
        "en": "The answer will be sent by WhatsApp to {to}.",
    },
    "public.filed_reply_email": {
        "id": "Jawaban akan dikirim lewat email ke {to}.",
        "en": "The answer will be sent by email to {to}.",
    },
    "public.status_title": {"id": "Status pengaduan", "en": "Complaint status"},
    "public.status_intro": {
        "id": "Masukkan nomor register dan empat angka terakhir nomor telepon/WhatsApp Anda.",
        "en": "Enter the register number and the last four digits of your phone/WhatsApp.",
    },
    "public.register": {"id": "Nomor register", "en": "Register number"},
    "public.digits": {
        "id": "Empat angka terakhir nomor telepon",
        "en": "Last four digits of the phone number",
    },
    "public.check": {"id": "Cek status", "en": "Check status"},
    "public.status": {"id": "Status", "en": "Status"},
    "public.filed_at": {"id": "Diterima", "en": "Received"},
    "public.answer": {"id": "Jawaban kantor", "en": "The office's answer"},
    "public.no_answer": {"id": "Belum ada jawaban.", "en": "No answer yet."},
    "public.answered_at": {"id": "Dijawab", "en": "Answered"},
    "public.status_err.not_found": {
        "id": "Nomor register atau empat angka telepon tidak cocok.",
        "en": "The register number or the four phone digits do not match.",
    },
    "public.reply_route_whatsapp": {
        "id": "Pengaduan dari formulir web: jawaban dikirim lewat WhatsApp kantor ke {to}, nomor "
        "yang ditinggalkan warga (WhatsApp dapat menolak bila warga belum pernah menulis).",
        "en": "A web-form complaint: the answer goes by the office's WhatsApp to {to}, the number "
        "the citizen left (WhatsApp may refuse it if the citizen never wrote).",
    },
    "public.reply_route_email": {
        "id": "Pengaduan dari formulir web: jawaban dikirim lewat email kantor ke {to}, alamat "
        "yang ditinggalkan warga.",
        "en": "A web-form complaint: the answer goes by the office's email to {to}, the address "
        "the citizen left.",
    },
    "public.status_err.throttled": {
        "id": "Terlalu banyak percobaan. Coba lagi nanti.",
        "en": "Too many attempts. Try again later.",
    },
    "public.out_of_authority_status": {
        "id": "Pengaduan Anda bukan kewenangan Dukcapil dan sudah ditutup. Silakan sampaikan ke "
        "instansi yang berwenang.",
        "en": "Your complaint is outside Dukcapil's authority and has been closed. Please take "
        "it to the agency responsible.",
    },
    "public.out_of_authority_agency": {
        "id": "Instansi yang berwenang",
        "en": "The agency responsible",
    },
    # -- reply extras: templates, files, quotes (issue 3, inbox.reply_views) ------------------
    "compose.title": {"id": "Templat, berkas, kutipan", "en": "Templates, files, quotes"},
    "compose.open": {"id": "Buka pilihan balasan lain", "en": "Open more ways to reply"},
    "compose.back": {"id": "Kembali ke tiket {register_no}", "en": "Back to ticket {register_no}"},
    "compose.window_closed": {
        "id": "Warga belum menulis dalam 24 jam terakhir: balasan bebas tidak akan sampai. "
        "Kirim templat yang sudah disetujui.",
        "en": "The citizen has not written in the last 24 hours: a free reply will not arrive. "
        "Send an approved template.",
    },
    "compose.quote_title": {"id": "Membalas pesan ini", "en": "Answering this message"},
    "compose.quote_label": {"id": "Balasan Anda", "en": "Your reply"},
    "compose.quote_send": {"id": "Kirim balasan berkutip", "en": "Send quoted reply"},
    "compose.templates": {"id": "Templat pesan", "en": "Message templates"},
    "compose.templates_show": {"id": "Tampilkan templat", "en": "Show templates"},
    "compose.templates_unconfigured": {
        "id": "Nomor ini belum punya business_account_id di berkas kantor, jadi templatnya "
        "belum dapat dipakai — hubungi superuser.",
        "en": "This number has no business_account_id in the offices file, so its templates "
        "cannot be used yet — contact a superuser.",
    },
    "compose.templates_error": {
        "id": "Daftar templat tidak dapat diperbarui: {reason}",
        "en": "The template list could not be refreshed: {reason}",
    },
    "compose.templates_fetched": {"id": "Daftar per {when}", "en": "List as of {when}"},
    "compose.templates_refresh": {"id": "Perbarui daftar", "en": "Refresh the list"},
    "compose.template_choose": {"id": "Pilih templat", "en": "Choose a template"},
    "compose.template_use": {"id": "Gunakan", "en": "Use"},
    "compose.templates_none": {
        "id": "Belum ada templat yang disetujui untuk nomor ini.",
        "en": "This number has no approved template yet.",
    },
    "compose.templates_unusable": {
        "id": "{count} templat tidak dapat dipakai",
        "en": "{count} templates cannot be used",
    },
    "compose.template_meta": {
        "id": "Kategori {category}, bahasa {language}",
        "en": "Category {category}, language {language}",
    },
    "compose.template_value": {"id": "Isian {name}", "en": "Value {name}"},
    "compose.template_preview": {"id": "Pratinjau:", "en": "Preview:"},
    "compose.template_send": {"id": "Kirim templat", "en": "Send template"},
    "compose.media": {"id": "Kirim berkas", "en": "Send a file"},
    "compose.media_file": {"id": "Berkas", "en": "File"},
    "compose.media_max": {"id": "maks. {size}", "en": "max. {size}"},
    "compose.media_caption": {"id": "Keterangan (boleh kosong)", "en": "Caption (optional)"},
    "compose.media_send": {"id": "Kirim berkas", "en": "Send file"},
    "msg.template": {
        "id": "Templat {name} ({language})",
        "en": "Template {name} ({language})",
    },
    "msg.reply_to_this": {"id": "Balas pesan ini", "en": "Reply to this message"},
    "form.bad_quote": {
        "id": "Pesan yang dikutip tidak ditemukan di tiket ini.",
        "en": "The quoted message is not in this ticket.",
    },
    "form.no_quotes": {
        "id": "Kanal ini tidak dapat mengutip pesan.",
        "en": "This channel cannot quote messages.",
    },
    "form.no_media": {
        "id": "Kanal ini tidak dapat mengirim berkas.",
        "en": "This channel cannot send files.",
    },
    "form.window_closed": {
        "id": "Jendela 24 jam sudah tertutup: hanya templat yang dapat dikirim.",
        "en": "The 24-hour window is closed: only a template can be sent.",
    },
    "form.file_missing": {"id": "Pilih berkas dulu.", "en": "Choose a file first."},
    "form.file_empty": {"id": "Berkas itu kosong.", "en": "That file is empty."},
    "form.file_too_big": {
        "id": "Berkas terlalu besar untuk kanal ini.",
        "en": "The file is too big for this channel.",
    },
    "form.file_type": {
        "id": "Jenis berkas ini tidak dapat dikirim lewat kanal ini.",
        "en": "This kind of file cannot be sent on this channel.",
    },
    "form.caption_too_long": {
        "id": "Keterangan terlalu panjang.",
        "en": "The caption is too long.",
    },
    "form.template_unknown": {
        "id": "Templat itu tidak ada dalam daftar nomor ini.",
        "en": "That template is not in this number's list.",
    },
    "form.template_unusable": {
        "id": "Templat itu belum disetujui atau tidak dapat diisi di sini.",
        "en": "That template is not approved or cannot be filled in here.",
    },
    "form.template_parameters": {
        "id": "Jumlah isian tidak sesuai templat.",
        "en": "The number of values does not match the template.",
    },
    "form.template_parameter_empty": {
        "id": "Semua isian templat harus diisi.",
        "en": "Every template value must be filled in.",
    },
    "form.template_parameter_long": {
        "id": "Isian templat terlalu panjang.",
        "en": "A template value is too long.",
    },
    "error.template_params": {
        "id": "Isian templat tidak cocok dengan templat yang disetujui — perbarui daftar templat",
        "en": "The values do not match the approved template — refresh the template list",
    },
    "error.template_missing": {
        "id": "Templat tidak ada (atau belum disetujui) dalam bahasa itu",
        "en": "The template does not exist (or is not approved) in that language",
    },
    "error.template_paused": {
        "id": "Templat sedang dijeda atau dinonaktifkan oleh Meta",
        "en": "Meta has paused or disabled the template",
    },
    "error.template_values": {
        "id": "Isian templat ditolak (kosong, baris baru, atau format salah)",
        "en": "The template values were refused (empty, line breaks, or wrong format)",
    },
    "error.media_refused": {
        "id": "Berkas ditolak platform atau tidak tersimpan lagi",
        "en": "The platform refused the file, or it is no longer stored",
    },
    # -- Telegram admin group: linking an account, mirrored consultation notes (issue 5) ----
    "nav.telegram": {"id": "Tautkan Telegram", "en": "Link Telegram"},
    "tglink.title": {"id": "Tautkan akun Telegram", "en": "Link your Telegram account"},
    "tglink.why": {
        "id": "Dengan akun yang tertaut, balasan dan perintah Anda di grup admin Telegram "
        "kantor tercatat atas nama Anda di tiket, sesuai hak Anda di inbox.",
        "en": "With a linked account, your replies and commands in the office's Telegram "
        "admin group are recorded on the ticket in your name, with your inbox rights.",
    },
    "tglink.status": {"id": "Akun sekarang", "en": "Current account"},
    "tglink.linked": {
        "id": "Tertaut ke akun Telegram {name} (ID {id}).",
        "en": "Linked to the Telegram account {name} (ID {id}).",
    },
    "tglink.none": {
        "id": "Belum ada akun Telegram yang tertaut.",
        "en": "No Telegram account is linked.",
    },
    "tglink.unlink": {"id": "Lepaskan tautan", "en": "Unlink"},
    "tglink.code_title": {"id": "Kode sekali pakai", "en": "One-time code"},
    "tglink.send": {
        "id": "Kirim pesan ini ke bot kantor secara pribadi dalam {minutes} menit:",
        "en": "Send this message to the office's bot in a private chat within {minutes} minutes:",
    },
    "tglink.new_code": {"id": "Buat kode baru", "en": "Make a new code"},
    "mirror.from_group": {
        "id": "Dari grup admin {channel}",
        "en": "From the {channel} admin group",
    },
    "mirror.unlinked": {
        "id": "Anggota grup belum tertaut: {name}",
        "en": "Group member not linked: {name}",
    },
    "mirror.pending": {
        "id": "Menunggu terkirim ke grup admin {channel}",
        "en": "Waiting to reach the {channel} admin group",
    },
    "mirror.failed": {
        "id": "Gagal dikirim ke grup admin {channel}: {reason}",
        "en": "Could not be posted in the {channel} admin group: {reason}",
    },
    "mirror.sent": {
        "id": "Terkirim ke grup admin {channel}",
        "en": "Posted in the {channel} admin group",
    },
    # -- Facebook and Instagram: how to answer, reply windows, message marks (issue 3,
    # -- inbox/reply_mode_views.py, templates/inbox/_reply_modes*.html, _message_marks.html) --
    "replymode.legend": {"id": "Cara membalas", "en": "How to answer"},
    "replymode.message": {"id": "Pesan langsung", "en": "Direct message"},
    "replymode.public_comment": {
        "id": "Balasan publik di bawah komentar",
        "en": "Public reply under the comment",
    },
    "replymode.private_reply": {
        "id": "Balasan pribadi ke komentar (sekali saja)",
        "en": "Private reply to the comment (once only)",
    },
    "replymode.refused": {
        "id": "Cara membalas ini tidak tersedia untuk tiket ini sekarang.",
        "en": "That way of answering is not available for this ticket now.",
    },
    "replymode.none": {
        "id": "Komentar ini tidak dapat dibalas lagi dari sini.",
        "en": "This comment can no longer be answered from here.",
    },
    "replymode.window_open": {
        "id": "Jendela balasan terbuka sampai {until}.",
        "en": "The reply window is open until {until}.",
    },
    "replymode.window_tagged": {
        "id": "Lewat 24 jam: balasan dikirim dengan tag HUMAN_AGENT, paling lambat {until}.",
        "en": "Past 24 hours: replies go with the HUMAN_AGENT tag, until {until} at the latest.",
    },
    "replymode.window_closed": {
        "id": "Jendela balasan sudah tertutup: warga harus menulis lagi lebih dulu.",
        "en": "The reply window is closed: the citizen must write again first.",
    },
    "error.messaging_window": {
        "id": "Jendela pesan sudah tertutup (24 jam, atau 7 hari dengan tag HUMAN_AGENT bila "
        "diizinkan): warga harus menulis lagi lebih dulu",
        "en": "The messaging window is closed (24 hours, or 7 days with the HUMAN_AGENT tag "
        "where allowed): the citizen must write again first",
    },
    "msgmark.echo": {"id": "Dari aplikasi Meta", "en": "From Meta's app"},
    "msgmark.comment": {"id": "Komentar", "en": "Comment"},
    "msgmark.edited": {"id": "Diubah", "en": "Edited"},
    "msgmark.removed": {"id": "Dihapus oleh warga", "en": "Removed by the citizen"},
    "msgmark.removed_out": {"id": "Dihapus di platform", "en": "Removed on the platform"},
    "msgmark.hidden": {"id": "Disembunyikan", "en": "Hidden"},
    # -- a free reply that goes as the first-contact template; LAPOR status reports apart ----
    "compose.window_closed_template": {
        "id": "Warga belum menulis ke akun ini dalam 24 jam terakhir: balasan bebas dikirim "
        "sebagai templat yang disetujui {name}, diisi dari data tiket; warga menerima teks "
        "templat itu.",
        "en": "The citizen has not written to this account in the last 24 hours: a free reply "
        "goes as the approved template {name}, filled in from the ticket; the citizen receives "
        "that template's text.",
    },
    # -- why a free reply is refused before any platform call (inbox.reply_views) -------------
    "compose.free_reply_unverified": {
        "id": "Warga belum menulis ke akun ini dalam 24 jam terakhir: balasan bebas akan dikirim "
        "sebagai templat {name} ({language}) hanya bila templat itu ada di daftar templat akun, "
        "dan daftar itu tidak dapat diambil untuk memeriksanya ({reason}). Perbarui daftar "
        "templat sebelum membalas.",
        "en": "The citizen has not written to this account in the last 24 hours: a free reply "
        "goes as the template {name} ({language}) only if the account's template list holds it, "
        "and that list could not be fetched to check ({reason}). Refresh the template list "
        "before replying.",
    },
    "compose.free_refused.not_named": {
        "id": "Balasan bebas akan ditolak sebelum dikirim: akun ini belum menamai templat kontak "
        "pertama. Tetapkan first_contact_template untuk kanal ini di berkas kantor, atau minta "
        "warga menulis dulu ke akun ini.",
        "en": "A free reply will be refused before it is sent: this account names no "
        "first-contact template. Set first_contact_template for this channel in the offices "
        "file, or ask the citizen to write to this account first.",
    },
    "compose.free_refused.unknown_fields": {
        "id": "Balasan bebas akan ditolak sebelum dikirim: first_contact_parameters untuk kanal "
        "ini memuat isian yang tidak dikenal ({unknown}; yang dikenal: {known}). Perbaiki di "
        "berkas kantor.",
        "en": "A free reply will be refused before it is sent: first_contact_parameters for "
        "this channel names unknown fields ({unknown}; known: {known}). Correct it in the "
        "offices file.",
    },
    "compose.free_refused.no_listing": {
        "id": "Balasan bebas akan ditolak sebelum dikirim: templat kontak pertama {name} tidak "
        "dapat dikirim karena akun ini belum punya business_account_id di berkas kantor.",
        "en": "A free reply will be refused before it is sent: the first-contact template "
        "{name} cannot be sent, as this account has no business_account_id in the offices "
        "file.",
    },
    "compose.free_refused.not_listed": {
        "id": "Balasan bebas akan ditolak sebelum dikirim: templat kontak pertama {name} "
        "({language}) tidak ada di daftar templat akun ini. Perbaiki first_contact_template "
        "(atau first_contact_language) untuk kanal ini di berkas kantor.",
        "en": "A free reply will be refused before it is sent: the first-contact template "
        "{name} ({language}) is not in this account's template list. Correct "
        "first_contact_template (or first_contact_language) for this channel in the offices "
        "file.",
    },
    "compose.free_refused.unusable": {
        "id": "Balasan bebas akan ditolak sebelum dikirim: templat kontak pertama {name} "
        "({language}) saat ini tidak dapat dikirim ({why}). Pilih templat lain untuk "
        "first_contact_template di berkas kantor, atau tunggu templat itu disetujui.",
        "en": "A free reply will be refused before it is sent: the first-contact template "
        "{name} ({language}) cannot be sent now ({why}). Name another template as "
        "first_contact_template in the offices file, or wait until it is approved.",
    },
    "compose.free_refused.parameters": {
        "id": "Balasan bebas akan ditolak sebelum dikirim: templat kontak pertama {name} "
        "({language}) meminta {count} isian, tetapi first_contact_parameters memberi {given} "
        "({fields}). Samakan first_contact_parameters untuk kanal ini di berkas kantor.",
        "en": "A free reply will be refused before it is sent: the first-contact template "
        "{name} ({language}) takes {count} value(s), but first_contact_parameters gives "
        "{given} ({fields}). Make first_contact_parameters for this channel match it in the "
        "offices file.",
    },
    "compose.free_refused.other": {
        "id": "Balasan bebas akan ditolak sebelum dikirim: {reason}",
        "en": "A free reply will be refused before it is sent: {reason}",
    },
    "lapor.pending_status": {
        "id": "{n} laporan status tiket (bukan tindak lanjut) belum diterima LAPOR; dicoba "
        "lagi otomatis.",
        "en": "{n} status report(s) (not follow-ups) not yet accepted by LAPOR; retried "
        "automatically.",
    },
}
