namespace Platform.Webhook.Hosting;

/// <summary>Configuration read from files that is loaded at start and reloaded when the files change.</summary>
internal interface IReloadableFile
{
    /// <summary>The files to watch; empty when nothing is read from disk.</summary>
    IReadOnlyList<string> WatchedFiles { get; }

    /// <summary>What <c>/readyz</c> shows.</summary>
    ReloadStatus Status { get; }

    /// <summary>Loads at start; throws <see cref="WebhookStartupException"/> when the files cannot be used.</summary>
    void LoadInitial();

    /// <summary>Reloads if the content changed; a bad version is refused and the last good one kept.</summary>
    void CheckForChange();
}
