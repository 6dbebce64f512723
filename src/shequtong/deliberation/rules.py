"""The counting rules of the law, as pure functions over exact fractions.

- 业主共同决定 (民法典第278条; 最高法解释 法释〔2009〕7号 arts. 8–9): owners holding at least 2/3 of
  the exclusive area and at least 2/3 of the owners take part; items 6–8 (raising a maintenance
  fund, rebuilding or reconstructing, changing the use of common parts or running a business on
  them) need at least 3/4 of the participating area and of the participating owners; every
  other matter, using the maintenance fund included, more than half of both. "以上" includes the
  boundary, "过半数" does not: exactly 2/3 takes part, exactly 3/4 agrees, exactly half fails.
- 居民会议 (城市居民委员会组织法第十九条): more than half of the adult residents, or of the
  households' representatives, attend; more than half of those present agree. 居民代表会议: at
  least 2/3 of the representatives attend; more than half of those present agree.
- 党员大会审议 (四议两公开): at least 2/3 of the members present, more than half of those due agree.
- 选举: valid when more than half of the electorate vote; elected with more than half of the
  ballots cast, most votes first, up to the seats; a tie for the last seat stands again.

Fractions, not floats: 2/3 of 3 owners is exactly 2, and 0.6666… would miss it.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

TWO_THIRDS = Fraction(2, 3)
THREE_QUARTERS = Fraction(3, 4)
HALF = Fraction(1, 2)


@dataclass(frozen=True)
class Measure:
    """One fraction against its threshold: `at_least` (以上) or more than (过半数)."""

    label: str
    part: Fraction | int
    whole: Fraction | int
    threshold: Fraction
    at_least: bool

    @property
    def share(self) -> Fraction:
        return Fraction(self.part) / Fraction(self.whole) if self.whole else Fraction(0)

    @property
    def met(self) -> bool:
        if not self.whole:
            return False
        return self.share >= self.threshold if self.at_least else self.share > self.threshold

    @property
    def rule(self) -> str:
        word = "以上" if self.at_least else ""
        if self.threshold == HALF and not self.at_least:
            return "过半数"
        return f"{self.threshold.numerator}/{self.threshold.denominator}{word}"

    @property
    def percent(self) -> str:
        return f"{float(self.share) * 100:.2f}%"


@dataclass(frozen=True)
class Outcome:
    measures: tuple[Measure, ...]

    @property
    def passed(self) -> bool:
        return all(m.met for m in self.measures)

    @property
    def failed(self) -> list[str]:
        """What failed, in words: `参与表决的专有部分面积 62.50%，未达 2/3以上`."""
        return [f"{m.label} {m.percent}，未达{m.rule}" for m in self.measures if not m.met]


def owners_decision(
    *,
    total_area: Fraction,
    total_owners: int,
    voted_area: Fraction,
    voted_owners: int,
    agree_area: Fraction,
    agree_owners: int,
    special: bool,
) -> Outcome:
    """The four fractions of an owners' decision, each against its threshold."""
    agree = THREE_QUARTERS if special else HALF
    return Outcome(
        (
            Measure("参与表决的专有部分面积", voted_area, total_area, TWO_THIRDS, True),
            Measure("参与表决的业主人数", voted_owners, total_owners, TWO_THIRDS, True),
            Measure("同意的专有部分面积（占参与表决）", agree_area, voted_area, agree, special),
            Measure("同意的业主人数（占参与表决）", agree_owners, voted_owners, agree, special),
        )
    )


def residents_meeting(
    *, due: int, present: int, agree: int, representatives: bool, by_ballot: bool = False
) -> Outcome:
    """居民会议 (more than half attend) or 居民代表会议 (at least 2/3 attend); more than half of
    those present agree. `by_ballot`: the same rule over a vote, ballots standing for
    attendance."""
    came, of = ("参与投票的", "占参与投票") if by_ballot else ("到会", "占到会")
    attend = (
        Measure(f"{came}居民代表", present, due, TWO_THIRDS, True)
        if representatives
        else Measure(f"{came}居民（或户代表）", present, due, HALF, False)
    )
    return Outcome((attend, Measure(f"同意（{of}）", agree, present, HALF, False)))


def party_meeting(*, due: int, present: int, agree: int, by_ballot: bool = False) -> Outcome:
    """党员大会审议: at least 2/3 of the members present, more than half of those due agree."""
    came = "参与投票的" if by_ballot else "到会"
    return Outcome(
        (
            Measure(f"{came}党员", present, due, TWO_THIRDS, True),
            Measure("同意（占应到党员）", agree, due, HALF, False),
        )
    )


def electorate_vote(*, electorate: str, due: int, voted: int, agree: int) -> Outcome:
    """A vote of residents, households, representatives or party members decides by the rule
    of the meeting it stands for (a 居民会议 may be held 分户 or by ballot): residents and
    households as a 居民会议, representatives as a 居民代表会议, party members as a 党员大会."""
    if electorate == "party":
        return party_meeting(due=due, present=voted, agree=agree, by_ballot=True)
    return residents_meeting(
        due=due,
        present=voted,
        agree=agree,
        representatives=electorate == "representatives",
        by_ballot=True,
    )


@dataclass(frozen=True)
class Standing:
    name: str
    votes: int
    share: Fraction
    elected: bool


@dataclass(frozen=True)
class Election:
    """选举 (城市居民委员会组织法; the provinces' 居委会选举办法 alike): valid when more than half
    of the electorate vote; a candidate is elected with more than half of the ballots cast, the
    most votes first, up to the seats. Candidates tied for the last seat are not elected: the
    law has them stand again (`tied`)."""

    turnout: Measure
    standings: tuple[Standing, ...]
    tied: tuple[str, ...]
    seats: int

    @property
    def passed(self) -> bool:
        return self.turnout.met

    @property
    def failed(self) -> list[str]:
        if not self.turnout.met:
            m = self.turnout
            return [f"{m.label} {m.percent}，未达{m.rule}，选举无效"]
        out = []
        if self.tied:
            out.append(f"{'、'.join(self.tied)} 得票相等，须就得票相等的候选人再次投票")
        elif self.vacant:
            out.append(f"当选人数不足应选人数，尚缺 {self.vacant} 名，须另行选举")
        return out

    @property
    def vacant(self) -> int:
        """Seats no candidate won: the law has them elected again."""
        return max(self.seats - sum(s.elected for s in self.standings), 0)


def election(*, due: int, voted: int, votes: dict[str, int], seats: int) -> Election:
    """The candidates in `votes` (name → votes) against the ballots cast (`voted`)."""
    turnout = Measure("参与投票的选民", voted, due, HALF, False)
    eligible = sorted(
        (n for n, v in votes.items() if voted and Fraction(v, voted) > HALF),
        key=lambda n: -votes[n],
    )
    chosen = eligible[:seats]
    tied: tuple[str, ...] = ()
    if len(eligible) > seats:
        last = votes[chosen[-1]]
        if votes[eligible[seats]] == last:
            tied = tuple(n for n in eligible if votes[n] == last)
            chosen = [n for n in chosen if votes[n] != last]
    won = set(chosen) if turnout.met else set()
    standings = tuple(
        Standing(n, v, Fraction(v, voted) if voted else Fraction(0), n in won)
        for n, v in votes.items()
    )
    return Election(turnout, standings, tied if turnout.met else (), seats)
