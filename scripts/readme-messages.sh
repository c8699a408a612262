#!/bin/sh
# Every message README.md quotes between
#   <!-- сообщения новичков: начало --> and <!-- сообщения новичков: конец -->
# is true: each line of a fenced block there that reads
#   FILE[:LINE:COL]: ошибка|предупреждение|примечание: TEXT
# is, whole, a "message:" line of the expect file of a tests/bad case
# (tests/bad/newcomer-*, which run on my-school/order-443.yaml as the README
# does), where tests/run.sh checks it against the program's output.
# Usage: scripts/readme-messages.sh README.md TESTS_BAD_DIR
# Prints one line per message not found; exits 1 if any (or none quoted).
readme=$1 bad=$2
msgs=$(awk '
    /^<!-- сообщения новичков: начало -->$/ { on = 1; next }
    /^<!-- сообщения новичков: конец -->$/ { on = 0 }
    on && /^```/ { fence = !fence; next }
    on && fence && /^[^ ].*: (ошибка|предупреждение|примечание): / {
        print }
' "$readme")
n=0 fail=0
while IFS= read -r m; do
    [ -n "$m" ] || continue
    n=$((n + 1))
    if ! cat "$bad"/*/expect | grep -qxF -- "message: $m"; then
        echo "$readme: quoted message is in no $bad/*/expect: $m"
        fail=1
    fi
done <<END
$msgs
END
[ "$n" -ge 10 ] || { echo "$readme: only $n newcomer messages quoted (markers lost?)"; exit 1; }
echo "$readme: $n quoted messages found in $bad"
exit $fail
