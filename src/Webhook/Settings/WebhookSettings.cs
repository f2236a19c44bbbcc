using Platform.Webhook.Admission;
using Platform.Webhook.Health;
using Platform.Webhook.Policy;
using Platform.Webhook.Server;
using Platform.Webhook.Tls;

namespace Platform.Webhook.Settings;

/// <summary>
/// Every configuration key of the server, in one table: the start-up check refuses keys not in it (within the
/// project's own sections and on the command line) and values of the wrong type, and <c>--help</c> prints it.
/// The options classes keep the meaning and range checks; this table only knows spelling and type.
/// </summary>
internal static class WebhookSettings
{
    public static IReadOnlyList<Setting> All { get; } =
    [
        new("urls", SettingKind.Text, AdmissionListenOptions.DefaultUrl, "The https URL of the admission endpoint (one address)."),
        new($"{PolicyFileOptions.SectionName}:{nameof(PolicyFileOptions.File)}", SettingKind.Text, "(built-in default policy)", "GPU policy file (YAML or JSON), reloaded on change."),
        new($"{TlsOptions.SectionName}:{nameof(TlsOptions.CertFile)}", SettingKind.Text, "(required)", "PEM serving certificate (tls.crt), reloaded on change."),
        new($"{TlsOptions.SectionName}:{nameof(TlsOptions.KeyFile)}", SettingKind.Text, "(required)", "PEM private key (tls.key)."),
        new($"{AdmissionOptions.SectionName}:{nameof(AdmissionOptions.OnError)}", SettingKind.Choice, "allow", "What a fault of the webhook answers.", ["allow", "deny"]),
        new($"{HealthOptions.SectionName}:{nameof(HealthOptions.Port)}", SettingKind.Integer, "8080", "Plain-HTTP port of /healthz, /readyz and /metrics (0: any free port)."),
        new($"{HealthOptions.SectionName}:{nameof(HealthOptions.ShutdownDelaySeconds)}", SettingKind.Number, "5", "Seconds between /readyz failing on SIGTERM and the listeners closing (0-300)."),
        new($"{ConnectionOptions.SectionName}:{nameof(ConnectionOptions.MaxConnections)}", SettingKind.Integer, ConnectionOptions.DefaultMaxConnections.ToString(System.Globalization.CultureInfo.InvariantCulture), "Admission connections held at once; at the cap the longest-idle one is closed for a new one."),
        new($"{ConnectionOptions.SectionName}:{nameof(ConnectionOptions.IdleTimeoutSeconds)}", SettingKind.Number, ConnectionOptions.DefaultIdleTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "Seconds an idle admission connection is kept open."),
    ];

    /// <summary>The project's own sections: any key under them must be in <see cref="All"/>, whatever its source.</summary>
    public static IReadOnlyList<string> OwnSections { get; } =
        [PolicyFileOptions.SectionName, TlsOptions.SectionName, AdmissionOptions.SectionName, HealthOptions.SectionName, ConnectionOptions.SectionName];

    /// <summary>Keys .NET itself reads (DECISIONS 3): accepted on the command line as .NET defines them.</summary>
    public static IReadOnlyList<string> FrameworkKeys { get; } = ["urls", "environment", "contentRoot", "AllowedHosts"];

    /// <summary>Sections .NET itself reads; any key under them is accepted.</summary>
    public static IReadOnlyList<string> FrameworkSections { get; } = ["Logging", "Kestrel"];
}
