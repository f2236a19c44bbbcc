namespace Platform.Webhook.Cli;

/// <summary>What <c>mutate</c> prints on stdout.</summary>
internal enum OutputFormat
{
    /// <summary>Human-readable: per pod a header, decision, warnings, patch and the resulting pod in YAML.</summary>
    Report,

    /// <summary>The resulting pods as multi-document YAML.</summary>
    Yaml,

    /// <summary>A JSON array with one object per pod: origin, decision, warnings, patch, resulting pod.</summary>
    Json,

    /// <summary>One RFC 6902 patch (a JSON array) per pod and line, <c>[]</c> when the webhook sends none.</summary>
    Patch,
}
