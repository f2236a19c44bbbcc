using Platform.NodeAgent.Metrics;

namespace Platform.NodeAgent.Dra.Registration;

/// <summary>
/// Where the kubelet plugin registration stands, for <c>/readyz</c> and <c>raygpu_dra_plugin_registered</c>:
/// serving or not, and what the kubelet last said in NotifyRegistrationStatus. Serving anew (after a socket
/// was lost) clears the confirmation until the kubelet registers the new socket.
/// </summary>
internal sealed class DraRegistrationStatus(AgentMetrics metrics, TimeProvider time)
{
    private readonly Lock _gate = new();
    private string _driver = string.Empty;

    public bool Serving { get; private set; }

    public bool Registered { get; private set; }

    public string? LastError { get; private set; }

    public DateTimeOffset? RegisteredAt { get; private set; }

    public int Registrations { get; private set; }

    public void OnServing(string driver)
    {
        lock (_gate)
        {
            _driver = driver;
            Serving = true;
            Registered = false;
            LastError = null;
        }

        metrics.SetDraRegistered(driver, false);
    }

    public void OnNotified(bool registered, string? error)
    {
        string driver;
        lock (_gate)
        {
            driver = _driver;
            Registered = registered;
            LastError = registered ? null : error;
            if (registered)
            {
                RegisteredAt = time.GetUtcNow();
                Registrations++;
            }
        }

        metrics.SetDraRegistered(driver, registered);
    }

    public void OnNotServing(string driver, string error)
    {
        lock (_gate)
        {
            _driver = driver;
            Serving = false;
            Registered = false;
            LastError = error;
        }

        metrics.SetDraRegistered(driver, false);
    }
}
