namespace Platform.Webhook.Health;

/// <summary>Whether the process is going away; <c>/readyz</c> turns false as soon as it is.</summary>
internal sealed class Readiness
{
    private volatile bool _shuttingDown;

    public bool ShuttingDown => _shuttingDown;

    public void MarkShuttingDown() => _shuttingDown = true;
}
