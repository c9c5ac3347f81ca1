using Acme.Store;

namespace Acme.App
{
    public class Checkout
    {
        public void Complete(string connection, Order order)
        {
            System.Console.WriteLine($"order {order.Id}");
            var repository = default(OrderRepository);
            // {{CURSOR}}
        }
    }
}
