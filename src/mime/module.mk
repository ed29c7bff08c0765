# mime: message parts, transfer decoding, charsets (glibc iconv), HTML -> text,
# URL finding. No third-party library beyond glibc.
mime_DEPS := core
mime_LIBS :=
