using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using Platform.DevicePlugin.Events;
using Platform.DevicePlugin.Tests.TestSupport;

namespace Platform.DevicePlugin.Tests.Events;

public sealed class EventPublisherTests
{
    [Fact]
    public void Publish_ThrowingObserver_DoesNotStopDeliveryToOthers_AndEventsAreStamped()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var throwing = Substitute.For<IDevicePluginObserver>();
        throwing.When(o => o.OnEvent(Arg.Any<DevicePluginEvent>())).Throw(new InvalidOperationException("observer bug"));
        var recording = new RecordingObserver();
        var publisher = new EventPublisher([throwing, recording], time, NullLogger<EventPublisher>.Instance);

        publisher.Publish(new PluginStopped("nvidia.com/gpu"));

        var delivered = Assert.Single(recording.All);
        Assert.Equal(time.GetUtcNow(), delivered.Timestamp);
        throwing.Received(1).OnEvent(Arg.Any<DevicePluginEvent>());
    }
}
