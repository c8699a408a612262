#!/bin/sh
# A big dossier of people and pairs, written into $1: $2 people (3000) and
# half as many pairs (1500), half «ученик – ученик», half «педагог – педагог»;
# every mentor has two pairs one after the other (no rule is broken). The
# documents: both bases and the pairs order. make test renders them,
# make bench times them (issue 9: the pairs order in under 150 ms and 32 MiB).
set -eu
out=$1
n=${2:-3000}
cp "$(dirname "$0")/school.yaml" "$out/"
awk -v n="$n" '
BEGIN {
    ns = split("Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов", S, " ")
    nm = split("Александр Дмитрий Максим Сергей Андрей Алексей Артём Илья Кирилл Михаил Никита Матвей Роман Егор Арсений Иван Денис Евгений Даниил Тимофей", M, " ")
    nf = split("Анна Мария Елена Дарья Алина Ирина Екатерина Арина Полина Ольга Юлия Татьяна Наталья Виктория Елизавета Анастасия Марина Ксения Софья Вера", F, " ")
    np = split("Александров Дмитриев Сергеев Андреев Алексеев Иванов Михайлов Николаев Петров Викторов", P, " ")
    print "people:" > "'"$out"'/people.yaml"
    for (i = 0; i < n; i++) {
        fem = i % 2
        s = S[i % ns + 1]; first = fem ? F[int(i / ns) % nf + 1] : M[int(i / ns) % nm + 1]
        pat = P[int(i / (ns * 20)) % np + 1] (fem ? "на" : "ич")
        sur = fem ? s "а" : s
        teacher = (int(i / 4) % 2 == 1)
        role = teacher ? "педагог" : "обучающийся"
        where = teacher ? "position: \"учитель\"" : "class: \"" (5 + i % 7) " «А»\""
        printf "  - {id: \"p%d\", name: \"%s %s %s\", role: %s, %s, contacts: \"+7 (900) 000-%02d-%02d\"}\n", i, sur, first, pat, role, where, int(i / 100) % 100, i % 100 > "'"$out"'/people.yaml"
    }
    # pairs: in each block of four people 4j .. 4j+3, 4j mentors 4j+1
    # (Sep–Dec) and then 4j+2 (Jan–May); 4j+3 has no pair
    print "pairs:" > "'"$out"'/pairs.yaml"
    for (k = 0; k < int(n / 2); k++) {
        j = int(k / 2)
        teacher = (j % 2 == 1)
        form = teacher ? "педагог – педагог" : "ученик – ученик"
        model = teacher ? "опытный педагог – молодой специалист" : "успевающий – неуспевающий"
        dates = (k % 2) ? "start: 2025-01-13, end: 2025-05-23" : "start: 2024-09-16, end: 2024-12-27"
        printf "  - {mentor: p%d, mentees: [p%d], form: \"%s\", role_model: \"%s\", %s, result: \"план выполнен\"}\n", 4 * j, 4 * j + 1 + k % 2, form, model, dates > "'"$out"'/pairs.yaml"
    }
}'
for base in mentees mentors; do
    printf 'document: registry\ninclude: [school.yaml, people.yaml, pairs.yaml]\nregistry:\n  base: %s\n' \
        "$base" >"$out/people-$base.yaml"
done
printf 'document: pairs-order\ninclude: [school.yaml, people.yaml, pairs.yaml]\norder:\n  number: "1"\n  date: 2024-09-02\n' \
    >"$out/people-pairs-order.yaml"
