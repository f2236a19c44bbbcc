namespace Platform.Webhook.Server;

/// <summary>Where the HTTPS admission endpoint listens: the standard <c>urls</c> key (<c>--urls</c>, <c>ASPNETCORE_URLS</c>).</summary>
internal sealed class AdmissionListenOptions
{
    public const string DefaultUrl = "https://0.0.0.0:8443";

    /// <summary>One https URL, e.g. <c>https://127.0.0.1:8443</c> or <c>https://*:8443</c>. Default <c>https://0.0.0.0:8443</c>.</summary>
    public string? Urls { get; set; }
}
