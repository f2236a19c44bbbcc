using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NSubstitute;
using Platform.Webhook.Admission;
using Platform.Webhook.Policy;

namespace Platform.Webhook.Tests.TestSupport;

internal static class TestHandlers
{
    /// <summary>An admission handler with a fixed policy and <c>Admission:OnError</c>.</summary>
    public static AdmissionHandler For(GpuPolicy policy, OnErrorAction onError)
    {
        var policies = Substitute.For<IPolicySource>();
        policies.Current.Returns(policy);
        var options = Substitute.For<IOptionsMonitor<AdmissionOptions>>();
        options.CurrentValue.Returns(new AdmissionOptions { OnError = onError });
        return new AdmissionHandler(policies, options, NullLogger<AdmissionHandler>.Instance);
    }
}
