# Tab-separated rows for COPY … FROM STDIN (text format), for the messaging data set of
# `make bench`. Deterministic: the same parameters give the same ids, so the harness can name
# any message (the middle of the largest conversation, the end of another) without a query.
#
#   awk -v table=users|conversations|participants|messages \
#       -v users=1000 -v conversations=10000 -v per=100 \
#       -v small=10 -v medium=10000 -v large=1000000 -f generate.awk
#
# Conversation 1 has `small` messages, 2 has `medium`, 3 has `large`, every other one `per`.
# Conversation k's participants are users ((k-1) mod U)+1 and (k mod U)+1; they alternate as
# senders. Message j (1-based) of a conversation is sent at 2025-01-01 00:00:00 UTC + j seconds.
# Ids (the harness computes the same ones in bench/run.sh):
#   user u          00000000-0000-4000-b000-<u as 12 hex digits>
#   conversation k  00000000-0000-4000-a000-<k as 12 hex digits>
#   message j of k  <k as 8 hex digits>-0000-4000-8000-<j as 12 hex digits>

function user_id(u) { return sprintf("00000000-0000-4000-b000-%012x", u) }
function conversation_id(k) { return sprintf("00000000-0000-4000-a000-%012x", k) }
function message_id(k, j) { return sprintf("%08x-0000-4000-8000-%012x", k, j) }
function size(k) { return k == 1 ? small : k == 2 ? medium : k == 3 ? large : per }
function first_user(k) { return ((k - 1) % users) + 1 }
function second_user(k) { return (k % users) + 1 }

# 2025-01-01 00:00:00+00 plus s seconds (s < 1 year).
function timestamp(s,    days, month, rest) {
    days = int(s / 86400)
    rest = s - days * 86400
    month = 1
    while (days >= mdays[month]) { days -= mdays[month]; month++ }
    return sprintf("2025-%02d-%02d %02d:%02d:%02d+00", month, days + 1, int(rest / 3600), int((rest % 3600) / 60), rest % 60)
}

BEGIN {
    split("31 28 31 30 31 30 31 31 30 31 30 31", mdays, " ")
    OFS = "\t"
    if (table == "users") {
        # Nobody logs in as these users: the hash is a placeholder no password matches.
        for (u = 1; u <= users; u++)
            print user_id(u), sprintf("user%04d", u), sprintf("user%04d@bench.invalid", u), "Bench", sprintf("User %d", u), "!bench-no-login", "guest"
    } else if (table == "conversations") {
        for (k = 1; k <= conversations; k++)
            print conversation_id(k), sprintf("Conversation %d", k), user_id(first_user(k)), timestamp(0), timestamp(size(k))
    } else if (table == "participants") {
        for (k = 1; k <= conversations; k++) {
            print conversation_id(k), user_id(first_user(k)), timestamp(0), timestamp(size(k))
            if (second_user(k) != first_user(k)) print conversation_id(k), user_id(second_user(k)), timestamp(0), "\\N"
        }
    } else if (table == "messages") {
        for (k = 1; k <= conversations; k++) {
            n = size(k); a = user_id(first_user(k)); b = user_id(second_user(k)); c = conversation_id(k)
            for (j = 1; j <= n; j++)
                print message_id(k, j), c, (j % 2 ? a : b), "Message " j " of conversation " k ": the quick brown fox jumps over the lazy dog.", timestamp(j)
        }
    } else {
        print "generate.awk: unknown table " table > "/dev/stderr"
        exit 2
    }
}
