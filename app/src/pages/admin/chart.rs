//! The overview's chart: logins, failures and throttled attempts per hour over the last week, an
//! SVG drawn on the server (no script), coloured by the stylesheet so that it reads in light and
//! dark, with a text alternative: a summary and the totals of each day in a table.

use leptos::prelude::*;

use crate::ssr::{accounts::HourCounts, clock::Micros};

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 220.0;
/// Room for the counts on the left and the days underneath.
const LEFT: f64 = 44.0;
const BOTTOM: f64 = 24.0;
const TOP: f64 = 8.0;

/// One line of the chart.
struct Series {
    label: &'static str,
    class: &'static str,
    count: fn(&HourCounts) -> i64,
}

const SERIES: [Series; 3] = [
    Series { label: "Logins", class: "series-logins", count: |hour| hour.logins },
    Series { label: "Failed logins", class: "series-failures", count: |hour| hour.failures },
    Series { label: "Throttled attempts", class: "series-throttled", count: |hour| hour.throttled },
];

/// `hours`, oldest first, as a line chart with its legend and text alternative.
#[component]
pub fn ActivityChart(hours: Vec<HourCounts>) -> impl IntoView {
    let peak = hours.iter().flat_map(|hour| SERIES.map(|series| (series.count)(hour))).max().unwrap_or(0).max(1);
    let span = u32::try_from(hours.len().saturating_sub(1).max(1)).unwrap_or(u32::MAX);
    let x = move |at: usize| LEFT + (WIDTH - LEFT) * f64::from(u32::try_from(at).unwrap_or(u32::MAX)) / f64::from(span);
    let y = move |count: i64| {
        let share =
            f64::from(u32::try_from(count).unwrap_or(u32::MAX)) / f64::from(u32::try_from(peak).unwrap_or(u32::MAX));
        TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - share)
    };
    let lines = SERIES.map(|series| {
        let points: Vec<String> =
            hours.iter().enumerate().map(|(at, hour)| format!("{:.1},{:.1}", x(at), y((series.count)(hour)))).collect();
        view! { <polyline class=format!("series {}", series.class) points=points.join(" ")/> }.into_any()
    });
    let grid = [0, peak / 2, peak].map(|count| {
        view! {
            <line class="grid" x1=LEFT x2=WIDTH y1=y(count) y2=y(count)/>
            <text class="axis" x=LEFT - 6.0 y=y(count) + 4.0 text-anchor="end">{count.to_string()}</text>
        }
        .into_any()
    });
    // A tick at each midnight (UTC), named by its weekday.
    let days: Vec<_> = hours
        .iter()
        .enumerate()
        .filter(|(_, hour)| hour.start.to_datetime().hour() == 0)
        .map(|(at, hour)| {
            view! {
                <line class="grid" x1=x(at) x2=x(at) y1=TOP y2=HEIGHT - BOTTOM/>
                <text class="axis" x=x(at) y=HEIGHT - 6.0 text-anchor="middle">{weekday(hour.start)}</text>
            }
            .into_any()
        })
        .collect();
    let caption = caption(&hours);
    view! {
        <figure class="chart">
            // On a phone the week scrolls sideways rather than shrinking its labels out of reach.
            <div class="chart-scroll" tabindex="0" role="region" aria-label="Chart of the last 7 days">
                <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby="chart-title chart-summary" focusable="false">
                    <title id="chart-title">"Logins, failed logins and throttled attempts per hour, last 7 days (UTC)"</title>
                    {grid}
                    {days}
                    {lines}
                </svg>
            </div>
            {caption}
        </figure>
    }
    .into_any()
}

/// The legend, the summary the SVG is labelled by, and the table of the days' totals.
fn caption(hours: &[HourCounts]) -> AnyView {
    let summary = summary(hours);
    let daily = daily_totals(hours);
    view! {
    <figcaption>
        <ul class="legend" aria-label="Lines">
            {SERIES.map(|series| view! { <li><span class=format!("swatch {}", series.class)></span>{series.label}</li> })}
        </ul>
        <p id="chart-summary">{summary}</p>
        <details>
            <summary>"The chart as a table"</summary>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Totals per day">
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">"Day (UTC)"</th>
                            {SERIES.map(|series| view! { <th scope="col">{series.label}</th> })}
                        </tr>
                    </thead>
                    <tbody>
                        {daily.into_iter().map(|(day, totals)| view! {
                            <tr>
                                <th scope="row">{day}</th>
                                {SERIES.map(|series| view! { <td>{(series.count)(&totals).to_string()}</td> })}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </details>
    </figcaption>
    }
    .into_any()
}

fn weekday(at: Micros) -> String {
    at.to_datetime().weekday().to_string().chars().take(3).collect()
}

/// The week in a sentence: the totals, and the busiest hour of failures and throttling.
fn summary(hours: &[HourCounts]) -> String {
    let total = |count: fn(&HourCounts) -> i64| hours.iter().map(count).sum::<i64>();
    let mut sentence = format!(
        "Over the last 7 days: {} logins, {} failed logins and {} throttled attempts.",
        total(|hour| hour.logins),
        total(|hour| hour.failures),
        total(|hour| hour.throttled)
    );
    let worst = hours.iter().max_by_key(|hour| hour.failures + hour.throttled);
    if let Some(worst) = worst.filter(|hour| hour.failures + hour.throttled > 0) {
        let at = worst.start.to_datetime();
        sentence.push_str(&format!(
            " The most failed and throttled attempts came in the hour from {} {:02}:00 UTC: {} failed, {} throttled.",
            weekday(worst.start),
            at.hour(),
            worst.failures,
            worst.throttled
        ));
    }
    sentence
}

/// Each day's totals (UTC), oldest first.
fn daily_totals(hours: &[HourCounts]) -> Vec<(String, HourCounts)> {
    let mut days: Vec<(String, HourCounts)> = Vec::new();
    for hour in hours {
        let at = hour.start.to_datetime();
        let day = format!("{} {} {}", weekday(hour.start), at.day(), at.month());
        match days.last_mut() {
            Some((name, totals)) if *name == day => {
                totals.logins += hour.logins;
                totals.failures += hour.failures;
                totals.throttled += hour.throttled;
            }
            _ => days.push((day, *hour)),
        }
    }
    days
}
