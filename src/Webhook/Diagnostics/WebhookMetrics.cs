using Prometheus;

namespace Platform.Webhook.Diagnostics;

/// <summary>
/// The webhook's Prometheus metrics, in a registry of their own so that two hosts in one process
/// (the integration tests) never share counters. Names are public: see docs/webhook-server.md.
/// </summary>
internal sealed class WebhookMetrics
{
    public const string Prefix = "raygpu_webhook_";

    /// <summary>The <c>code</c> label of <see cref="BodyIncomplete"/>.</summary>
    public const string IncompleteBody = "incomplete_body";

    // apiserver's own webhook histogram starts at 5 ms; ours is about 100x finer because the
    // in-process work is tens of microseconds and a regression should show long before 5 ms.
    private static readonly double[] DurationBuckets =
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

    private readonly Histogram _admissionDuration;
    private readonly Counter _admissions;
    private readonly Counter _badRequests;
    private readonly Counter _errors;
    private readonly Counter _policyReloads;
    private readonly Gauge _policyLastReloadSuccess;
    private readonly Counter _certificateReloads;
    private readonly Gauge _certificateExpiry;
    private readonly Gauge _connections;
    private readonly Counter _connectionsEvicted;
    private readonly Counter _connectionsRefused;

    // Children resolved once: WithLabels allocates and hashes on every call, and these are per request.
    private readonly Dictionary<string, Histogram.Child> _durationByDecision = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Kind, string Decision), Counter.Child> _admissionsByKindAndDecision = [];

    public WebhookMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);

        _admissionDuration = factory.CreateHistogram(
            Prefix + "admission_duration_seconds",
            "Time spent answering one AdmissionReview in the server (body read to response written), by decision.",
            new HistogramConfiguration { LabelNames = ["decision"], Buckets = DurationBuckets });
        _admissions = factory.CreateCounter(
            Prefix + "admissions_total",
            "AdmissionReviews answered, by pod kind (head, worker, other) and decision (allowed, patched, denied, error).",
            new CounterConfiguration { LabelNames = ["pod_kind", "decision"] });
        _badRequests = factory.CreateCounter(
            Prefix + "bad_requests_total",
            "Requests to /mutate refused before admission, by HTTP status code (400, 404, 405, 413, 415), or incomplete_body: the body never arrived in full (the client stopped sending, was too slow, or left), not parsed.",
            new CounterConfiguration { LabelNames = ["code"] });
        _errors = factory.CreateCounter(
            Prefix + "errors_total",
            "Admissions that ended in an error of the webhook itself and were answered per Admission:OnError.");
        _policyReloads = factory.CreateCounter(
            Prefix + "policy_reloads_total",
            "Policy file loads after start, by result (success, failure). A failure keeps the last good policy.",
            new CounterConfiguration { LabelNames = ["result"] });
        _policyLastReloadSuccess = factory.CreateGauge(
            Prefix + "policy_last_reload_success",
            "1 if the last policy load succeeded, 0 if the policy in force is older than the file on disk.");
        _certificateReloads = factory.CreateCounter(
            Prefix + "certificate_reloads_total",
            "Serving certificate loads after start, by result (success, failure). A failure keeps the last good certificate.",
            new CounterConfiguration { LabelNames = ["result"] });
        _certificateExpiry = factory.CreateGauge(
            Prefix + "certificate_expiry_timestamp_seconds",
            "NotAfter of the serving certificate in force, in Unix seconds.");

        _connections = factory.CreateGauge(
            Prefix + "connections",
            "Admission (HTTPS) connections open now, capped by Connections:MaxConnections.");
        _connectionsEvicted = factory.CreateCounter(
            Prefix + "connections_evicted_total",
            "Idle admission connections closed to make room for a new one at Connections:MaxConnections.");
        _connectionsRefused = factory.CreateCounter(
            Prefix + "connections_refused_total",
            "New admission connections refused because every connection had a request in progress.");

        // Publish every series at zero so dashboards and alerts see them before the first event.
        foreach (var decision in AdmissionDecisions)
        {
            _durationByDecision[decision] = _admissionDuration.WithLabels(decision);
            foreach (var kind in PodKinds)
            {
                _admissionsByKindAndDecision[(kind, decision)] = _admissions.WithLabels(kind, decision);
            }
        }

        foreach (var result in new[] { "success", "failure" })
        {
            _policyReloads.WithLabels(result);
            _certificateReloads.WithLabels(result);
        }

        _badRequests.WithLabels(IncompleteBody).Publish();
        _errors.Publish();
        _connectionsEvicted.Publish();
        _connectionsRefused.Publish();
        _policyLastReloadSuccess.Set(1);
    }

    /// <summary>The decisions the admission handler reports.</summary>
    public static IReadOnlyList<string> AdmissionDecisions { get; } = ["allowed", "patched", "denied", "error"];

    /// <summary>The pod kinds the admission handler reports.</summary>
    public static IReadOnlyList<string> PodKinds { get; } = ["head", "worker", "other"];

    public CollectorRegistry Registry { get; }

    public void AdmissionAnswered(string podKind, string decision, TimeSpan elapsed)
    {
        (_durationByDecision.GetValueOrDefault(decision) ?? _admissionDuration.WithLabels(decision)).Observe(elapsed.TotalSeconds);
        (_admissionsByKindAndDecision.GetValueOrDefault((podKind, decision)) ?? _admissions.WithLabels(podKind, decision)).Inc();
        if (decision == "error")
        {
            _errors.Inc();
        }
    }

    public void BadRequest(int statusCode) => _badRequests.WithLabels(StatusLabel(statusCode)).Inc();

    /// <summary>A request whose body did not arrive in full: a slow or vanished client, or a connection closed at shutdown.</summary>
    public void BodyIncomplete() => _badRequests.WithLabels(IncompleteBody).Inc();

    public void ConnectionOpened() => _connections.Inc();

    public void ConnectionClosed() => _connections.Dec();

    public void ConnectionEvicted() => _connectionsEvicted.Inc();

    public void ConnectionRefused() => _connectionsRefused.Inc();

    public void PolicyReloaded(bool success)
    {
        _policyReloads.WithLabels(success ? "success" : "failure").Inc();
        _policyLastReloadSuccess.Set(success ? 1 : 0);
    }

    public void CertificateReloaded(bool success) => _certificateReloads.WithLabels(success ? "success" : "failure").Inc();

    public void CertificateInForce(DateTimeOffset notAfter) => _certificateExpiry.Set(notAfter.ToUnixTimeSeconds());

    private static string StatusLabel(int statusCode) => statusCode switch
    {
        400 => "400",
        404 => "404",
        405 => "405",
        413 => "413",
        415 => "415",
        _ => statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
